#!/usr/bin/env python3
"""The measurements of scripts/bench: Godwit side by side with the physical limit (the same SQL,
transaction grouping and bookkeeping piped through psql or sqlite3) and, when installed, Alembic.

Every figure is the wall time of one process from fork to exit, over several runs (median, min,
max), and its peak RSS (ru_maxrss from wait4, the figure GNU time prints as "Maximum resident set
size"). Writes results.csv and results.md under the output folder and prints the Markdown.

scripts/bench starts PostgreSQL and calls this; run by hand with --pg-url (a superuser URL of a
throwaway server: databases named bench_* are dropped and created).
"""

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate  # noqa: E402
import fleet  # noqa: E402

STARTED = time.monotonic()
# The psql binary itself: /usr/bin/psql is Debian's Perl wrapper, whose start-up is not the limit.
PSQL = next((p for p in ("/usr/lib/postgresql/15/bin/psql",) if os.path.exists(p)), "psql")


def log(text: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f}s] {text}", file=sys.stderr, flush=True)


class Failure(Exception):
    pass


def run_once(argv, cwd=None, env=None, stdin_path=None, stdout_path=None):
    """Runs one process; returns (seconds, max RSS in KiB, stdout text or None)."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    stdout = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE)
        # Drain stderr (small: progress lines) while waiting; wait4 gives the child's own rusage.
        error_text = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if stdin_path:
            stdin.close()
        if stdout_path:
            stdout.close()
    if process.returncode != 0:
        raise Failure(f"{' '.join(argv)} (in {cwd}) exited {process.returncode}:\n{error_text.decode(errors='replace')[-3000:]}")
    return elapsed, usage.ru_maxrss


class Results:
    def __init__(self):
        self.rows = []

    def add(self, tool, operation, backend, shape, workload, n, samples, rss_kib):
        times = sorted(samples)
        row = {
            "tool": tool, "operation": operation, "backend": backend, "shape": shape, "workload": workload, "n": n,
            "runs": len(times), "median_ms": statistics.median(times) * 1000, "min_ms": times[0] * 1000,
            "max_ms": times[-1] * 1000, "rss_mib": max(rss_kib) / 1024, "ratio_to_limit": None,
        }
        self.rows.append(row)
        log(f"{tool:8} {operation:28} {backend:6} {shape:7} {workload:5} N={n:<6} median {row['median_ms']:9.1f} ms  "
            f"min {row['min_ms']:9.1f}  max {row['max_ms']:9.1f}  RSS {row['rss_mib']:6.1f} MiB")
        return row

    def find(self, tool, operation, backend, shape, workload, n):
        for row in self.rows:
            if (row["tool"], row["operation"], row["backend"], row["shape"], row["workload"], row["n"]) == (
                tool, operation, backend, shape, workload, n):
                return row
        return None

    def compute_ratios(self):
        for row in self.rows:
            if row["tool"] in ("psql", "sqlite3"):
                continue
            limit_tool = "psql" if row["backend"] == "pg" else "sqlite3"
            operation = row["operation"]
            if row["shape"] == "fleet" and operation.startswith("fleet upgrade"):
                operation = "fleet upgrade (shell loop)"
            limit = self.find(limit_tool, operation, row["backend"], row["shape"], row["workload"], row["n"])
            if limit:
                row["ratio_to_limit"] = row["median_ms"] / limit["median_ms"]


def measure(results, tool, operation, backend, shape, workload, n, argv, runs, warmup=1, **kwargs):
    for _ in range(warmup):
        run_once(argv, **kwargs)
    samples, rss = [], []
    for _ in range(runs):
        seconds, kib = run_once(argv, **kwargs)
        samples.append(seconds)
        rss.append(kib)
    return results.add(tool, operation, backend, shape, workload, n, samples, rss)


def measure_pair(results, tool, mode, backend, shape, workload, n, up, down, runs, before_each=None):
    """Alternates an upgrade to head and a downgrade to base `runs` times; `up`/`down` are
    (argv, kwargs). The first pair is measured too: each run starts from the same state."""
    samples = {"up": [], "down": []}
    rss = {"up": [], "down": []}
    for _ in range(runs):
        for key, (argv, kwargs) in (("up", up), ("down", down)):
            seconds, kib = run_once(argv, **kwargs)
            samples[key].append(seconds)
            rss[key].append(kib)
    results.add(tool, f"upgrade head ({mode})", backend, shape, workload, n, samples["up"], rss["up"])
    results.add(tool, f"downgrade base ({mode})", backend, shape, workload, n, samples["down"], rss["down"])


class Bench:
    def __init__(self, args):
        self.args = args
        self.godwit = os.path.abspath(args.godwit)
        self.out = os.path.abspath(args.out)
        self.projects = os.path.join(self.out, "projects")
        self.results = Results()
        pg = urllib.parse.urlsplit(args.pg_url)
        self.pg_base = pg
        self.alembic = None
        if not args.no_alembic:
            # The interpreter itself, not a wrapper such as a pyenv shim, which would add its own start-up.
            probe = subprocess.run([sys.executable, "-c", "import alembic, psycopg2"], capture_output=True)
            if probe.returncode == 0:
                self.alembic = [sys.executable, "-m", "alembic"]
            else:
                log("alembic is not installed: no Alembic figures (pip install alembic psycopg2-binary)")
        self.env = dict(os.environ)
        self.env.update({"GODWIT_ACTOR": "bench", "NO_COLOR": "1"})
        for key in ("BENCH_DEV_URL", "BENCH_TEST_URL", "BENCH_PROD_URL", "BENCH_ALEMBIC_URL", "BENCH_ALEMBIC_ATOMIC"):
            self.env.pop(key, None)

    # PostgreSQL helpers

    def pg_url(self, database, driver=""):
        scheme = "postgresql" + driver
        netloc = self.pg_base.netloc
        return urllib.parse.urlunsplit((scheme, netloc, "/" + database, self.pg_base.query, ""))

    def psql_argv(self, database, *extra):
        return [PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", self.pg_url(database), *extra]

    def recreate_databases(self, *names):
        argv = self.psql_argv("postgres")
        for name in names:
            argv += ["-c", f"DROP DATABASE IF EXISTS {name}", "-c", f"CREATE DATABASE {name}"]
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)

    def pg_scalar(self, database, sql):
        return subprocess.run(self.psql_argv(database, "-At", "-c", sql), check=True, capture_output=True, text=True).stdout.strip()

    # Godwit helpers

    def gw(self, project, *arguments):
        return [self.godwit, *arguments, "--project", project]

    def script(self, project, path, *arguments, env=None):
        """Writes `godwit ARGS --sql` output to `path`."""
        run_once(self.gw(project, *arguments, "--sql"), env=env or self.env, stdout_path=path)
        return path

    # The parts

    def project(self, shape, workload, n, alembic=True):
        path = os.path.join(self.projects, f"{shape}-{workload}-{n}")
        marker = os.path.join(path, ".generated")
        if not os.path.exists(marker):
            generate.generate(path, shape, workload, n, alembic=alembic and self.alembic is not None)
            open(marker, "w").close()
        return path

    def runs_for(self, n, small, large):
        return small if n <= 1000 else large

    def read_operations(self, shape, n):
        """heads, history, current, status (3 environments, and each alone), upgrade --sql."""
        args, r = self.args, self.results
        project = self.project(shape, "cheap", n, alembic=n <= 1000 or shape == "linear")
        runs = self.runs_for(n, args.runs, max(3, args.runs - 2))
        env = self.env
        # Three SQLite environments at head, through the offline script (it is the bookkeeping
        # an online upgrade leaves, and costs no Godwit time to set up); --atomic, for one commit
        # instead of one (and one fsync) per revision.
        up_sqlite = self.script(project, os.path.join(project, "var", "up-sqlite.sql"), "upgrade", "-e", "sqlite", "--atomic")
        for name in ("dev", "test", "prod"):
            db = os.path.join(project, "var", f"{name}.sqlite3")
            if os.path.exists(db):
                os.remove(db)
            subprocess.run(["sqlite3", db], stdin=open(up_sqlite), check=True, stdout=subprocess.DEVNULL)
        gw = lambda *a: self.gw(project, *a)
        common = dict(warmup=1, env=env)
        measure(r, "godwit", "heads", "-", shape, "-", n, gw("heads"), runs, **common)
        measure(r, "godwit", "history", "-", shape, "-", n, gw("history"), runs, **common)
        measure(r, "godwit", "current", "sqlite", shape, "-", n, gw("current", "-e", "dev"), runs, **common)
        measure(r, "godwit", "status (3 envs)", "sqlite", shape, "-", n, gw("status"), runs, **common)
        for name in ("dev", "test", "prod"):
            measure(r, "godwit", f"status ({name} alone)", "sqlite", shape, "-", n,
                    self.gw(os.path.join(project, f"only-{name}"), "status"), runs, **common)
        measure(r, "godwit", "upgrade --sql", "sqlite", shape, "-", n, gw("upgrade", "-e", "sqlite", "--sql"), runs, **common)
        measure(r, "godwit", "upgrade --sql", "pg", shape, "-", n, gw("upgrade", "-e", "pg", "--sql"), runs, **common)

        # The same on PostgreSQL: three databases at head.
        up_pg = self.script(project, os.path.join(project, "var", "up-pg.sql"), "upgrade", "-e", "pg", "--atomic")
        names = {"dev": "bench_dev", "test": "bench_test", "prod": "bench_prod"}
        self.recreate_databases(*names.values())
        pg_env = dict(env)
        for name, database in names.items():
            subprocess.run(self.psql_argv(database), stdin=open(up_pg), check=True, stdout=subprocess.DEVNULL)
            pg_env[f"BENCH_{name.upper()}_URL"] = self.pg_url(database)
        measure(r, "godwit", "current", "pg", shape, "-", n, gw("current", "-e", "dev"), runs, warmup=1, env=pg_env)
        measure(r, "godwit", "status (3 envs)", "pg", shape, "-", n, gw("status"), runs, warmup=1, env=pg_env)
        for name in ("dev", "test", "prod"):
            measure(r, "godwit", f"status ({name} alone)", "pg", shape, "-", n,
                    self.gw(os.path.join(project, f"only-{name}"), "status"), runs, warmup=1, env=pg_env)

        if self.alembic and n <= args.alembic_max_read and (n <= 1000 or shape == "linear"):
            root = os.path.join(project, "alembic")
            a_env = dict(env)
            a_env["BENCH_ALEMBIC_URL"] = "sqlite:///" + os.path.join(root, "var", "alembic.sqlite3")
            a = lambda *x: [*self.alembic, "-c", os.path.join(root, "alembic.ini"), *x]
            if n <= 1000:
                run_once(a("stamp", "heads"), env=a_env)
            a_runs = self.runs_for(n, max(3, args.runs - 2), 1)
            a_warm = 1 if n <= 1000 else 0
            measure(r, "alembic", "heads", "-", shape, "-", n, a("heads"), a_runs, warmup=a_warm, env=a_env)
            measure(r, "alembic", "history", "-", shape, "-", n, a("history"), a_runs, warmup=a_warm, env=a_env)
            # Alembic's current takes close to a minute at N = 10,000, and --sql is measured on
            # PostgreSQL there: what the budget compares is measured at every N up to 1,000.
            if n <= 1000:
                measure(r, "alembic", "current", "sqlite", shape, "-", n, a("current"), a_runs, warmup=a_warm, env=a_env)
                measure(r, "alembic", "upgrade --sql", "sqlite", shape, "-", n, a("upgrade", "heads", "--sql"), a_runs,
                        warmup=a_warm, env=a_env)
            a_env_pg = dict(a_env)
            a_env_pg["BENCH_ALEMBIC_URL"] = self.pg_url("postgres", "+psycopg2")
            measure(r, "alembic", "upgrade --sql", "pg", shape, "-", n, a("upgrade", "heads", "--sql"), a_runs,
                    warmup=a_warm, env=a_env_pg)

    def changes_pg(self, shape, workload, n, atomic, runs, with_alembic):
        """upgrade to head and downgrade to base on PostgreSQL: Godwit, psql, Alembic."""
        project = self.project(shape, workload, n)
        mode = "atomic" if atomic else "per revision"
        flag = ["--atomic"] if atomic else []
        self.recreate_databases("bench_godwit", "bench_limit", "bench_alembic")
        env = dict(self.env)
        env["BENCH_PG_URL"] = self.pg_url("bench_godwit")
        var = os.path.join(project, "var")
        up_sql = self.script(project, os.path.join(var, f"up-pg{'-atomic' if atomic else ''}.sql"), "upgrade", "-e", "pg", *flag, env=env)
        down_sql = self.script(project, os.path.join(var, f"down-pg{'-atomic' if atomic else ''}.sql"),
                               "downgrade", "base", "--from", "head", "-e", "pg", *flag, env=env)
        measure_pair(
            self.results, "godwit", mode, "pg", shape, workload, n,
            (self.gw(project, "upgrade", "-e", "pg", *flag), dict(env=env)),
            (self.gw(project, "downgrade", "base", "-e", "pg", *flag), dict(env=env)), runs)
        self.check_count("bench_godwit", 0)
        measure_pair(
            self.results, "psql", mode, "pg", shape, workload, n,
            (self.psql_argv("bench_limit"), dict(stdin_path=up_sql)),
            (self.psql_argv("bench_limit"), dict(stdin_path=down_sql)), runs)
        self.check_count("bench_limit", 0)
        if with_alembic and self.alembic:
            root = os.path.join(project, "alembic")
            a_env = dict(self.env)
            a_env["BENCH_ALEMBIC_URL"] = self.pg_url("bench_alembic", "+psycopg2")
            if atomic:
                a_env["BENCH_ALEMBIC_ATOMIC"] = "1"
            a = lambda *x: [*self.alembic, "-c", os.path.join(root, "alembic.ini"), *x]
            measure_pair(self.results, "alembic", mode, "pg", shape, workload, n,
                         (a("upgrade", "heads"), dict(env=a_env)), (a("downgrade", "base"), dict(env=a_env)), runs)

    def check_count(self, database, expected):
        count = int(self.pg_scalar(database, "SELECT count(*) FROM godwit_revisions"))
        if count != expected:
            raise Failure(f"{database}: {count} rows in godwit_revisions, expected {expected}")

    def changes_sqlite(self, shape, workload, n, atomic, runs):
        """upgrade to head and downgrade to base on SQLite: Godwit and the sqlite3 shell."""
        project = self.project(shape, workload, n)
        mode = "atomic" if atomic else "per revision"
        flag = ["--atomic"] if atomic else []
        var = os.path.join(project, "var")
        for name in ("bench.sqlite3", "limit.sqlite3"):
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(os.path.join(var, name + suffix)):
                    os.remove(os.path.join(var, name + suffix))
        limit_db = os.path.join(var, "limit.sqlite3")
        # Godwit opens its SQLite databases in WAL mode; so does the limit.
        subprocess.run(["sqlite3", limit_db, "PRAGMA journal_mode = WAL;"], check=True, stdout=subprocess.DEVNULL)
        up_sql = self.script(project, os.path.join(var, f"up-sqlite{'-atomic' if atomic else ''}.sql"), "upgrade", "-e", "sqlite", *flag)
        down_sql = self.script(project, os.path.join(var, f"down-sqlite{'-atomic' if atomic else ''}.sql"),
                               "downgrade", "base", "--from", "head", "-e", "sqlite", *flag)
        measure_pair(
            self.results, "godwit", mode, "sqlite", shape, workload, n,
            (self.gw(project, "upgrade", "-e", "sqlite", *flag), dict(env=self.env)),
            (self.gw(project, "downgrade", "base", "-e", "sqlite", *flag), dict(env=self.env)), runs)
        measure_pair(
            self.results, "sqlite3", mode, "sqlite", shape, workload, n,
            (["sqlite3", "-bail", limit_db], dict(stdin_path=up_sql)),
            (["sqlite3", "-bail", limit_db], dict(stdin_path=down_sql)), runs)

    def heads_100k(self):
        n = 100_000
        project = os.path.join(self.projects, f"linear-cheap-{n}")
        if not os.path.exists(os.path.join(project, ".generated")):
            log(f"generating {n} revisions")
            generate.generate(project, "linear", "cheap", n, alembic=False)
            open(os.path.join(project, ".generated"), "w").close()
        measure(self.results, "godwit", "heads", "-", "linear", "-", n, self.gw(project, "heads"), 1, warmup=1, env=self.env)

    def run(self):
        args = self.args
        self.load_at_start = os.getloadavg()[0]
        os.makedirs(self.projects, exist_ok=True)
        sizes = [] if args.fleet_only else args.sizes
        if not args.no_fleet:
            tools = argparse.Namespace(run_once=run_once, measure=measure, log=log, Failure=Failure)
            fleet.FleetBench(self, tools, args.fleet_sqlite, args.fleet_pg, args.fleet_runs).run()
        for shape in ([] if args.fleet_only else args.shapes):
            for n in sizes:
                log(f"read-only operations: {shape}, N={n}")
                self.read_operations(shape, n)
        for n in sizes:
            runs = args.change_runs if n <= 1000 else 1
            for workload in args.workloads:
                alembic = n <= (args.alembic_max_change if workload == "cheap" else args.alembic_max_change_ddl)
                if n > args.change_max and not (workload == "cheap" and n <= args.change_max_cheap):
                    continue
                for atomic in (False, True):
                    if n > args.change_max and atomic:
                        continue
                    log(f"upgrade/downgrade: PostgreSQL, {workload}, N={n}, {'atomic' if atomic else 'per revision'}")
                    self.changes_pg("linear", workload, n, atomic, runs, alembic)
                    if n <= args.change_max:
                        log(f"upgrade/downgrade: SQLite, {workload}, N={n}, {'atomic' if atomic else 'per revision'}")
                        self.changes_sqlite("linear", workload, n, atomic, runs)
            if "branchy" in args.shapes and n <= args.change_max:
                log(f"upgrade/downgrade: PostgreSQL, branchy graph, cheap, N={n}")
                self.changes_pg("branchy", "cheap", n, False, runs, False)
        if not args.no_100k and not args.fleet_only:
            self.heads_100k()
        self.results.compute_ratios()
        self.write()

    def write(self):
        rows = self.results.rows
        fields = ["tool", "operation", "backend", "shape", "workload", "n", "runs", "median_ms", "min_ms", "max_ms",
                  "ratio_to_limit", "rss_mib"]
        with open(os.path.join(self.out, "results.csv"), "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=fields)
            writer.writeheader()
            for row in rows:
                writer.writerow({k: (f"{v:.3f}" if isinstance(v, float) else ("" if v is None else v)) for k, v in row.items()})
        machine = machine_description(self.load_at_start)
        elapsed = time.monotonic() - STARTED
        summary = [r for r in rows if (r["n"] == 1000 and r["shape"] == "linear") or r["n"] >= 10000 or r["shape"] == "fleet"]
        markdown = (
            "### Summary: N = 1,000 (linear chain) and N ≥ 10,000\n\n" + render_markdown(summary, machine, elapsed)
            + "\n" + render_budget(self.results)
            + "\n### Every figure\n\n" + render_markdown(rows, machine, elapsed))
        with open(os.path.join(self.out, "results.md"), "w") as f:
            f.write(markdown)
        print(markdown)


def fmt_ms(ms):
    if ms >= 10_000:
        return f"{ms / 1000:.1f} s"
    if ms >= 1000:
        return f"{ms / 1000:.2f} s"
    return f"{ms:.1f} ms"


def describe(row):
    parts = [row["operation"]]
    details = [x for x in (row["backend"], row["workload"], row["shape"]) if x and x != "-"]
    backend_names = {"pg": "PostgreSQL", "sqlite": "SQLite"}
    details = [backend_names.get(x, x) for x in details]
    return f"{parts[0]} · {', '.join(details)}" if details else parts[0]


def render_markdown(rows, machine, elapsed):
    lines = [
        f"Machine: {machine}. Bench run took {elapsed / 60:.1f} min.",
        "",
        "| tool | operation | N | median | min | max | ratio to psql | RSS |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        ratio = f"{row['ratio_to_limit']:.2f} ×" if row["ratio_to_limit"] is not None else "—"
        lines.append(
            f"| {row['tool']} | {describe(row)} | {row['n']:,} | {fmt_ms(row['median_ms'])} | {fmt_ms(row['min_ms'])} | "
            f"{fmt_ms(row['max_ms'])} | {ratio} | {row['rss_mib']:.1f} MiB |")
    lines.append("")
    lines.append("Ratio to psql: the tool's median over the median of the same SQL, transaction grouping and "
                 "bookkeeping (`godwit … --sql`) piped through psql — or through the sqlite3 shell for SQLite rows.")
    return "\n".join(lines) + "\n"


def render_budget(results):
    """The budget of issue 6, line by line, against this run's medians (N = 1,000 unless said)."""
    rows = results.rows
    lines = ["Budget (medians; N = 1,000 unless said):", ""]

    def godwit(operation, backend="-", n=1000, workload="-", shapes=("linear", "branchy")):
        return [r for r in rows if r["tool"] == "godwit" and r["operation"] == operation and r["backend"] == backend
                and r["n"] == n and r["workload"] == workload and r["shape"] in shapes]

    def line(ok, text):
        lines.append(f"- {'holds' if ok else 'MISSES'}: {text}")

    for operation, backend in (("heads", "-"), ("history", "-"), ("current", "sqlite")):
        for n, limit in ((1000, 25), (10000, 250)):
            found = godwit(operation, backend, n)
            if found:
                worst = max(found, key=lambda r: r["median_ms"])
                line(worst["median_ms"] <= limit, f"`{operation}` at N = {n:,} ≤ {limit} ms: {fmt_ms(worst['median_ms'])} ({worst['shape']})")
    ten = godwit("heads", "-", 10000, shapes=("linear",))
    hundred = godwit("heads", "-", 100000, shapes=("linear",))
    if ten and hundred:
        ratio = hundred[0]["median_ms"] / ten[0]["median_ms"]
        line(ratio <= 12, f"`heads` grows linearly: N = 100,000 takes {fmt_ms(hundred[0]['median_ms'])}, {ratio:.1f} × N = 10,000")
    for backend in ("sqlite", "pg"):
        for shape in ("linear", "branchy"):
            three = godwit("status (3 envs)", backend, shapes=(shape,))
            singles = [r for name in ("dev", "test", "prod") for r in godwit(f"status ({name} alone)", backend, shapes=(shape,))]
            if three and singles:
                slowest = max(r["median_ms"] for r in singles)
                line(three[0]["median_ms"] <= slowest + 20,
                     f"`status`, three {backend} environments ({shape}) ≤ slowest alone + 20 ms: {fmt_ms(three[0]['median_ms'])} vs {fmt_ms(slowest)}")
    for workload, mode, limit in (("cheap", "per revision", 1.15), ("cheap", "atomic", 1.10), ("ddl", "per revision", 1.05), ("ddl", "atomic", 1.05)):
        for operation in (f"upgrade head ({mode})", f"downgrade base ({mode})"):
            found = [r for r in godwit(operation, "pg", 1000, workload, ("linear",)) if r["ratio_to_limit"] is not None]
            if found:
                r = found[0]
                line(r["ratio_to_limit"] <= limit, f"{operation.split(' ')[0]}, PostgreSQL, {workload}, {mode} ≤ {limit:.2f} × psql: "
                     f"{r['ratio_to_limit']:.2f} × ({fmt_ms(r['median_ms'])})")
    for ok, text in fleet.limits(rows):
        line(ok, text)
    at_thousand = [r for r in rows if r["tool"] == "godwit" and r["n"] == 1000 and r["shape"] != "fleet"]
    if at_thousand:
        worst = max(at_thousand, key=lambda r: r["rss_mib"])
        line(worst["rss_mib"] <= 30, f"peak RSS ≤ 30 MiB for every operation at N = 1,000: at most {worst['rss_mib']:.1f} MiB ({describe(worst)})")
    for operation, backend in (("heads", "-"), ("history", "-"), ("current", "sqlite"), ("upgrade --sql", "sqlite"), ("upgrade --sql", "pg")):
        pairs = []
        for r in rows:
            if r["tool"] == "alembic" and r["operation"] == operation and r["backend"] == backend:
                g = [x for x in godwit(operation, backend, r["n"], shapes=(r["shape"],))]
                if g:
                    pairs.append((r["median_ms"] / g[0]["median_ms"], r, g[0]))
        if pairs:
            least, r, g = min(pairs, key=lambda x: x[0])
            line(least >= 10, f"`{operation}`{'' if backend == '-' else ' (' + backend + ')'} at least 10 × faster than Alembic at every N: "
                 f"at least {least:.0f} × (N = {r['n']:,}, {r['shape']}: {fmt_ms(g['median_ms'])} vs {fmt_ms(r['median_ms'])})")
    return "\n".join(lines) + "\n"


def machine_description(load_at_start):
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = "?"
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    load = os.getloadavg()
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
    except OSError:
        commit = "?"
    return (f"{os.cpu_count()} cores ({cpu}), {memory} memory; load average {load_at_start:.2f} at the start and "
            f"{load[0]:.2f} at the end; godwit at {commit or '?'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--godwit", required=True, help="the godwit binary (release build)")
    parser.add_argument("--pg-url", required=True, help="a superuser URL of a throwaway PostgreSQL")
    parser.add_argument("--out", default="bench/out")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[10, 100, 1000, 10000])
    parser.add_argument("--shapes", type=lambda s: s.split(","), default=["linear", "branchy"])
    parser.add_argument("--workloads", type=lambda s: s.split(","), default=["cheap", "ddl"])
    parser.add_argument("--runs", type=int, default=5, help="runs of each read-only operation (after one warm-up)")
    parser.add_argument("--change-runs", type=int, default=3, help="upgrade/downgrade pairs per case, N <= 1000 (N = 10,000: one)")
    parser.add_argument("--change-max", type=int, default=1000, help="largest N for every upgrade/downgrade case")
    parser.add_argument("--change-max-cheap", type=int, default=10000, help="largest N for the cheap per-revision case on PostgreSQL")
    parser.add_argument("--alembic-max-read", type=int, default=10000)
    parser.add_argument("--alembic-max-change", type=int, default=1000, help="largest N of Alembic's upgrade/downgrade, cheap workload")
    parser.add_argument("--alembic-max-change-ddl", type=int, default=100, help="largest N of Alembic's upgrade/downgrade, DDL workload")
    parser.add_argument("--no-alembic", action="store_true")
    parser.add_argument("--no-100k", action="store_true", help="skip the one `heads` run at N = 100,000")
    parser.add_argument("--no-fleet", action="store_true", help="skip the fleet rows")
    parser.add_argument("--fleet-only", action="store_true", help="the fleet rows alone")
    parser.add_argument("--fleet-sqlite", type=int, default=fleet.SQLITE_TARGETS, help="SQLite tenant files of the fleet rows")
    parser.add_argument("--fleet-pg", type=int, default=fleet.PG_TARGETS, help="PostgreSQL databases of the fleet rows")
    parser.add_argument("--fleet-runs", type=int, default=3, help="runs of each fleet upgrade")
    args = parser.parse_args()
    try:
        Bench(args).run()
    except Failure as failure:
        print(f"bench: {failure}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
