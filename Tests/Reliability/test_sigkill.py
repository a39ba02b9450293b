"""SIGKILL at random points of multi-revision upgrades: whatever the point, the recorded state
equals the real schema, and the next run (after `resolve` for a revision that was running outside
a transaction) completes. SPEC §3, §4, §8: never a partially recorded state."""

import random
import signal
import time

import pytest

from conftest import Project, sqlite_query

TRIALS = 15          # per database and transaction mode: 30 per database
REVISIONS = 6


def add_revisions(project, transactional, slow_sql):
    for i in range(1, REVISIONS + 1):
        if transactional:
            up = f"CREATE TABLE t{i} (x integer);\n{slow_sql}\nCREATE INDEX t{i}_x ON t{i} (x);"
        else:
            up = f"CREATE TABLE t{i} (x integer);\n{slow_sql}"
        project.add(f"r{i:02d}", up, f"DROP TABLE t{i};", transactional=transactional)


def calibrate(make_project):
    """How long a whole upgrade takes here, on a project of its own: kills fall within it."""
    project = make_project()
    start = time.monotonic()
    result = project.run("upgrade")
    assert result.returncode == 0, result.stdout + result.stderr
    return time.monotonic() - start


def kill_at_random(project, rng, full_seconds):
    process = project.popen("upgrade")
    time.sleep(rng.uniform(0, full_seconds))
    process.send_signal(signal.SIGKILL)
    process.communicate()


def partway(recorded):
    """True when the kill left some revisions recorded and others not: the run was cut mid-way."""
    return 0 < sum(1 for state in recorded.values() if state == "applied") < REVISIONS or "failed" in recorded.values()


def reconcile(project, recorded, existing, transactional):
    """Checks that the record matches the schema, resolving a failed non-transactional revision
    by what the schema shows, as an operator would."""
    for i in range(1, REVISIONS + 1):
        revision, table = f"r{i:02d}", f"t{i}"
        state = recorded.get(revision)
        if state == "failed":
            assert not transactional, f"transactional revision {revision} recorded as failed"
            resolution = "--applied" if table in existing else "--rolled-back"
            result = project.run("resolve", revision, resolution)
            assert result.returncode == 0, result.stdout + result.stderr
        elif state == "applied":
            assert table in existing, f"{revision} recorded as applied, but {table} does not exist"
        else:
            assert state is None, f"{revision} has state {state}"
            assert table not in existing, f"{table} exists, but {revision} is not recorded"


def finish_and_check(project, check_schema):
    result = project.run("upgrade")
    assert result.returncode == 0, result.stdout + result.stderr
    recorded, existing = check_schema()
    assert all(recorded.get(f"r{i:02d}") == "applied" for i in range(1, REVISIONS + 1)), recorded
    assert all(f"t{i}" in existing for i in range(1, REVISIONS + 1)), existing
    verify = project.run("audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr


@pytest.mark.parametrize("transactional", [True, False], ids=["transactional", "non-transactional"])
def test_sigkill_during_a_postgresql_upgrade(pg_database, workdir, transactional):
    rng = random.Random(20261206 + transactional)
    cut = 0

    def make_project(name):
        database = pg_database()
        project = Project(workdir / name, database.url, "lock_timeout: 120s")
        add_revisions(project, transactional, "SELECT pg_sleep(0.04);")
        return database, project

    window = calibrate(lambda: make_project("calibration")[1])
    for trial in range(TRIALS):
        database, project = make_project(f"trial{trial}")

        def state():
            database.wait_until_idle()
            tables = {row[0] for row in database.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
            recorded = {}
            if "godwit_revisions" in tables:
                recorded = dict(database.query("SELECT revision, state FROM godwit_revisions"))
            return recorded, tables

        kill_at_random(project, rng, window)
        recorded, existing = state()
        cut += partway(recorded)
        reconcile(project, recorded, existing, transactional)
        finish_and_check(project, state)
        database.drop()
    assert cut >= TRIALS // 4, f"only {cut} of {TRIALS} kills landed mid-way: the trial timing no longer fits the revisions"


@pytest.mark.parametrize("transactional", [True, False], ids=["transactional", "non-transactional"])
def test_sigkill_during_a_sqlite_upgrade(workdir, transactional):
    rng = random.Random(20261207 + transactional)
    cut = 0
    burn = "CREATE TABLE burn_{n} AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 60000) SELECT x FROM c;"

    def make_project(name):
        root = workdir / name
        root.mkdir()
        database = root / "db.sqlite3"
        project = Project(root, f"sqlite:///{database}", "lock_timeout: 120s")
        for i in range(1, REVISIONS + 1):
            up = f"CREATE TABLE t{i} (x integer);\n{burn.format(n=i)}"
            project.add(f"r{i:02d}", up, f"DROP TABLE t{i};", transactional=transactional)
        return database, project

    window = calibrate(lambda: make_project("calibration")[1])
    for trial in range(TRIALS):
        database, project = make_project(f"trial{trial}")

        def state():
            if not database.exists():
                return {}, set()
            tables = {row[0] for row in sqlite_query(database, "SELECT name FROM sqlite_master WHERE type = 'table'")}
            recorded = {}
            if "godwit_revisions" in tables:
                recorded = dict(sqlite_query(database, "SELECT revision, state FROM godwit_revisions"))
            return recorded, tables

        kill_at_random(project, rng, window)
        recorded, existing = state()
        cut += partway(recorded)
        reconcile(project, recorded, existing, transactional)
        finish_and_check(project, state)
    assert cut >= TRIALS // 4, f"only {cut} of {TRIALS} kills landed mid-way: the trial timing no longer fits the revisions"
