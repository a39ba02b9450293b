"""The fleet rows of scripts/bench (SPEC §10): one environment of many databases, upgraded with
`rollout.parallel` 1, 4 and 8, next to a shell loop that pipes the same SQL (each target's
`godwit upgrade --sql` script: the revisions, the state rows and the audit record) through
sqlite3 or psql, one target after the other, as a team's hand-rolled loop does.

- SQLite: 1,000 tenant files by `glob`, 5 revisions each (a table and an index per revision).
- PostgreSQL: 200 databases on the throwaway server by `list`, the same 5 revisions.
- `status -e tenants` of the 1,000-target fleet at head, and the peak RSS of the runs.

Each upgrade starts from empty targets: the SQLite files are truncated, the PostgreSQL
databases' `public` schema dropped and made again, before every run (not timed).
"""

import os
import shlex
import shutil
import subprocess

import generate

SQLITE_TARGETS = 1000
PG_TARGETS = 200
REVISIONS = 5
PARALLELS = (1, 4, 8)

ENVIRONMENTS = """\
versions: versions
table_prefix: godwit_
environments:
  one:
    url: sqlite:var/one.sqlite3
  pgone:
    url: ${{BENCH_PG_URL}}
  tenants:
    targets:
      glob: var/tenants/*.sqlite3
    rollout:
      parallel: {parallel}
  pgfleet:
    targets:
      list:
{pg_list}
    rollout:
      parallel: {parallel}
"""


class FleetBench:
    def __init__(self, bench, tools, sqlite_targets=SQLITE_TARGETS, pg_targets=PG_TARGETS, runs=3):
        """`tools`: the runner's run_once, measure, log and Failure (run.py is the main module)."""
        self.bench = bench
        self.tools = tools
        self.sqlite_targets = sqlite_targets
        self.pg_targets = pg_targets
        self.runs = runs
        self.project = os.path.join(bench.projects, f"fleet-{sqlite_targets}-{pg_targets}")
        self.tenants = os.path.join(self.project, "var", "tenants")
        self.databases = [f"bench_fleet_{i:03d}" for i in range(pg_targets)]

    # Set-up

    def generate(self):
        if os.path.exists(self.project):
            shutil.rmtree(self.project)
        generate.generate(self.project, "linear", "ddl", REVISIONS, alembic=False)
        self.write_environments(4)
        os.makedirs(self.tenants, exist_ok=True)
        self.bench.recreate_databases(*self.databases)

    def reset_sqlite(self):
        """Empty tenant files (a zero-byte file is an empty SQLite database), no sidecars."""
        for name in os.listdir(self.tenants):
            os.remove(os.path.join(self.tenants, name))
        for i in range(self.sqlite_targets):
            open(os.path.join(self.tenants, f"t_{i:04d}.sqlite3"), "w").close()

    def reset_pg(self):
        sql = "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
        loop = "; ".join(f"{self.psql(name)} -c '{sql}' >/dev/null" for name in self.databases)
        subprocess.run(["sh", "-c", loop], check=True)

    def psql(self, database):
        return shlex.join(self.bench.psql_argv(database))

    def write_environments(self, parallel):
        """`rollout.parallel` is a number in the file (no `${VAR}` there), so each run writes it."""
        pg_list = "\n".join(f"        {name}: {self.bench.pg_url(name)}" for name in self.databases)
        with open(os.path.join(self.project, "environments", "environments.yaml"), "w") as f:
            f.write(ENVIRONMENTS.format(pg_list=pg_list, parallel=parallel))

    def env(self, parallel):
        self.write_environments(parallel)
        env = dict(self.bench.env)
        env["BENCH_PG_URL"] = self.bench.pg_url(self.databases[0])
        return env

    # The measurements

    def measure_changes(self, operation, backend, targets, argv_for, reset, env_for):
        run_once = self.tools.run_once
        samples, rss = [], []
        for _ in range(self.runs):
            reset()
            seconds, kib = run_once(argv_for(), env=env_for())
            samples.append(seconds)
            rss.append(kib)
        return self.bench.results.add(*operation, backend, "fleet", "ddl", targets, samples, rss)

    def run(self):
        log, run_once = self.tools.log, self.tools.run_once
        self.generate()
        bench = self.bench
        var = os.path.join(self.project, "var")
        gw = lambda *a: bench.gw(self.project, *a)
        # The per-target scripts: what one target's upgrade runs, bookkeeping included.
        up_sqlite = os.path.join(var, "up-sqlite.sql")
        run_once(gw("upgrade", "-e", "one", "--sql", "--from", "base"), env=self.env(4), stdout_path=up_sqlite)
        up_pg = os.path.join(var, "up-pg.sql")
        run_once(gw("upgrade", "-e", "pgone", "--sql", "--from", "base"), env=self.env(4), stdout_path=up_pg)

        log(f"fleet: {self.sqlite_targets} SQLite tenants x {REVISIONS} revisions")
        for parallel in PARALLELS:
            self.measure_changes(("godwit", f"fleet upgrade (parallel {parallel})"), "sqlite", self.sqlite_targets,
                                 lambda: gw("upgrade", "-e", "tenants", "-q"), self.reset_sqlite, lambda p=parallel: self.env(p))
        self.check_sqlite()
        # WAL, as Godwit opens its SQLite databases (each commit then syncs the log alone).
        loop = (f'for f in "{self.tenants}"/*.sqlite3; do sqlite3 -bail -cmd "PRAGMA journal_mode = WAL" "$f" '
                f'< "{up_sqlite}" >/dev/null || exit 1; done')
        self.measure_changes(("sqlite3", "fleet upgrade (shell loop)"), "sqlite", self.sqlite_targets,
                             lambda: ["sh", "-c", loop], self.reset_sqlite, lambda: self.env(1))
        self.check_sqlite()
        # status of the fleet at head (the files the loop left are at head with Godwit's rows).
        self.tools.measure(bench.results, "godwit", "fleet status", "sqlite", "fleet", "ddl", self.sqlite_targets,
                gw("status", "-e", "tenants"), max(3, self.runs), env=self.env(4))

        log(f"fleet: {self.pg_targets} PostgreSQL databases x {REVISIONS} revisions")
        for parallel in PARALLELS:
            self.measure_changes(("godwit", f"fleet upgrade (parallel {parallel})"), "pg", self.pg_targets,
                                 lambda: gw("upgrade", "-e", "pgfleet", "-q"), self.reset_pg, lambda p=parallel: self.env(p))
        self.check_pg()
        loop = "; ".join(f"{self.psql(name)} -f '{up_pg}' >/dev/null || exit 1" for name in self.databases)
        self.measure_changes(("psql", "fleet upgrade (shell loop)"), "pg", self.pg_targets,
                             lambda: ["sh", "-c", loop], self.reset_pg, lambda: self.env(1))
        self.check_pg()

    def check_sqlite(self):
        """Every tenant at head: the loop and Godwit leave the same five rows."""
        Failure = self.tools.Failure
        for name in sorted(os.listdir(self.tenants))[:: max(1, self.sqlite_targets // 10)]:
            if not name.endswith(".sqlite3"):
                continue
            out = subprocess.run(["sqlite3", os.path.join(self.tenants, name), "SELECT count(*) FROM godwit_revisions"],
                                 capture_output=True, text=True).stdout.strip()
            if out != str(REVISIONS):
                raise Failure(f"fleet: {name} has {out or 'no'} revisions applied, expected {REVISIONS}")

    def check_pg(self):
        for name in self.databases[:: max(1, self.pg_targets // 10)]:
            self.bench.check_count(name, REVISIONS)


def limits(rows):
    """The fleet budget lines (issue 12) against this run's medians."""
    def find(tool, operation, backend):
        return next((r for r in rows if r["tool"] == tool and r["operation"] == operation and r["backend"] == backend
                     and r["shape"] == "fleet"), None)

    lines = []
    for backend, limit_tool, budget in (("sqlite", "sqlite3", 1.0), ("pg", "psql", 0.5)):
        godwit = find("godwit", "fleet upgrade (parallel 4)", backend)
        loop = find(limit_tool, "fleet upgrade (shell loop)", backend)
        if godwit and loop:
            ratio = godwit["median_ms"] / loop["median_ms"]
            lines.append((ratio <= budget, f"fleet upgrade, {godwit['n']:,} {'SQLite files' if backend == 'sqlite' else 'PostgreSQL databases'}, "
                          f"parallel 4 ≤ {budget:.1f} × the {limit_tool} loop: {ratio:.2f} × "
                          f"({godwit['median_ms'] / 1000:.2f} s vs {loop['median_ms'] / 1000:.2f} s)"))
    runs = [r for r in rows if r["tool"] == "godwit" and r["shape"] == "fleet" and r["n"] >= 1000]
    if runs:
        worst = max(runs, key=lambda r: r["rss_mib"])
        lines.append((worst["rss_mib"] <= 64, f"peak RSS of a 1,000-target run ≤ 64 MiB: {worst['rss_mib']:.1f} MiB ({worst['operation']})"))
    status = find("godwit", "fleet status", "sqlite")
    if status:
        lines.append((status["median_ms"] <= 2000, f"`status` of a {status['n']:,}-target fleet ≤ 2 s: {status['median_ms'] / 1000:.2f} s"))
    return lines
