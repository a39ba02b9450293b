"""Many upgraders at once on one database: the lock lets exactly one apply each revision, the
others wait and find nothing left (exit 0) or give up on the lock (exit 4). Nothing is applied
twice. SPEC §6."""

import collections

import pytest

from conftest import Project, sqlite_query

ROUNDS = 10
REVISIONS = 5


def slow_revisions(project, slow_sql):
    for i in range(1, REVISIONS + 1):
        project.add(
            f"r{i:02d}",
            f"CREATE TABLE t{i} (x integer);\nINSERT INTO applies (revision) VALUES ('r{i:02d}');\n{slow_sql}",
            f"DROP TABLE t{i};")


def run_round(project, upgraders):
    processes = [project.popen("upgrade") for _ in range(upgraders)]
    results = []
    for process in processes:
        try:
            out, err = process.communicate(timeout=180)
        except Exception:
            process.kill()
            raise AssertionError("an upgrader hung for more than 180 s")
        results.append((process.returncode, err))
    return results


def check_round(results, applies, round_number):
    exits = collections.Counter(code for code, _ in results)
    assert set(exits) <= {0, 4}, f"round {round_number}: exits {dict(exits)}; stderr of one that failed: " + next(
        err for code, err in results if code not in (0, 4))
    counts = collections.Counter(applies)
    doubles = {revision: n for revision, n in counts.items() if n > 1}
    assert doubles == {}, f"round {round_number}: applied twice: {doubles}"
    assert sorted(counts) == [f"r{i:02d}" for i in range(1, REVISIONS + 1)], f"round {round_number}: applied {sorted(counts)}"


def test_32_concurrent_upgraders_on_one_postgresql_database(pg_database, workdir):
    for round_number in range(1, ROUNDS + 1):
        database = pg_database()
        database.execute("CREATE TABLE applies (revision text)")
        project = Project(workdir / f"pg{round_number}", database.url, "lock_timeout: 120s")
        slow_revisions(project, "SELECT pg_sleep(0.05);")
        results = run_round(project, 32)
        applies = [row[0] for row in database.query("SELECT revision FROM applies")]
        check_round(results, applies, round_number)
        verify = project.run("audit", "verify")
        assert verify.returncode == 0, verify.stdout + verify.stderr
        database.drop()


def test_16_concurrent_upgraders_on_one_sqlite_file(workdir):
    burn = ("CREATE TABLE burn_{n} AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000) "
            "SELECT x FROM c;")
    for round_number in range(1, ROUNDS + 1):
        root = workdir / f"sqlite{round_number}"
        root.mkdir()
        database = root / "db.sqlite3"
        sqlite_query(database, "CREATE TABLE applies (revision text)")
        project = Project(root, f"sqlite:///{database}", "lock_timeout: 120s")
        for i in range(1, REVISIONS + 1):
            project.add(
                f"r{i:02d}",
                f"CREATE TABLE t{i} (x integer);\nINSERT INTO applies (revision) VALUES ('r{i:02d}');\n{burn.format(n=i)}",
                f"DROP TABLE t{i};")
        results = run_round(project, 16)
        applies = [row[0] for row in sqlite_query(database, "SELECT revision FROM applies")]
        check_round(results, applies, round_number)
        verify = project.run("audit", "verify")
        assert verify.returncode == 0, verify.stdout + verify.stderr
