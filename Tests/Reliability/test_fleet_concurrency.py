"""Many upgraders at once on one PostgreSQL fleet (SPEC §10, issue 12): each target keeps its
own lock, so exactly one process applies each revision in each target; the others wait and find
nothing left (exit 0) or give up on a lock (exit 4). Nothing is applied twice in any target, and
every target's audit chain verifies."""

import collections

from conftest import Project

TENANTS = 8
REVISIONS = 10
UPGRADERS = 32


def test_32_concurrent_fleet_upgraders_on_8_schemas(pg_database, workdir):
    database = pg_database()
    database.execute("CREATE TABLE public.applies (tenant text, revision text)")
    for index in range(1, TENANTS + 1):
        database.execute(f"CREATE SCHEMA tenant_{index}")
    project = Project(workdir / "fleet", database.url)
    # A fleet of a schema per tenant, two targets at a time per process.
    text = (project.root / "environments" / "environments.yaml").read_text()
    text += (
        "  prod:\n    lock_timeout: 120s\n    targets:\n"
        "      schemas: SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant\\_%' ORDER BY 1\n"
        f"      url: '{database.url}'\n    rollout: {{parallel: 2}}\n"
    )
    (project.root / "environments" / "environments.yaml").write_text(text)
    for i in range(1, REVISIONS + 1):
        project.add(
            f"r{i:02d}",
            f"CREATE TABLE t{i} (x integer);\n"
            f"INSERT INTO public.applies VALUES (current_schema(), 'r{i:02d}');\nSELECT pg_sleep(0.01);",
            f"DROP TABLE t{i};")

    processes = [project.popen("upgrade", "-e", "prod") for _ in range(UPGRADERS)]
    results = []
    for process in processes:
        try:
            out, err = process.communicate(timeout=120)
        except Exception:
            process.kill()
            raise AssertionError("a fleet upgrader hung for more than 120 s")
        results.append((process.returncode, out, err))

    exits = collections.Counter(code for code, _, _ in results)
    assert set(exits) <= {0, 4}, f"exits {dict(exits)}; one that failed: " + next(
        out + err for code, out, err in results if code not in (0, 4))
    counts = collections.Counter(database.query("SELECT tenant, revision FROM public.applies"))
    doubles = {key: n for key, n in counts.items() if n > 1}
    assert doubles == {}, f"applied twice: {doubles}"
    expected = {(f"tenant_{t}", f"r{i:02d}") for t in range(1, TENANTS + 1) for i in range(1, REVISIONS + 1)}
    if exits.get(4, 0) == 0:
        assert set(counts) == expected, f"missing: {sorted(expected - set(counts))}"
    final = project.run("upgrade", "-e", "prod")
    assert final.returncode == 0, final.stdout + final.stderr
    assert collections.Counter(database.query("SELECT tenant, revision FROM public.applies")) == collections.Counter(expected)
    verify = project.run("audit", "verify", "-e", "prod")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert f"prod: {TENANTS} targets: {TENANTS} verified" in verify.stdout, verify.stdout
