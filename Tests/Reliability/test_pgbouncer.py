"""PgBouncer in transaction pooling mode, with `lock: table`: every transaction may land on
another server session, so nothing Godwit needs may live in a session (SET LOCAL, not SET;
schema-qualified names, not search_path). A full upgrade of a real history works, a second run
finds nothing to do, and two runs at once do not both apply. SPEC §2 (`lock: table`), §6.

One thing no client can do behind a transaction pooler is give a statement that must run outside
a transaction (`CREATE INDEX CONCURRENTLY`) a search_path: it runs on whichever server session the
pooler hands out. README "PostgreSQL" says such statements must name their schema there; the
test's copy of the history does so, as a team behind a pooler would write it."""

import os
import re
import shutil
import threading

import psycopg2
import pytest

from conftest import PG_REQUIRED, ROOT, Project, url_with_database

KRATOS = ROOT / "Tests" / "Fixtures" / "corpus" / "ory-kratos" / "postgresql" / "versions"


def bouncer_url():
    url = os.environ.get("GODWIT_TEST_PGBOUNCER_URL")
    if not url:
        if PG_REQUIRED:
            pytest.fail("GODWIT_REQUIRE_POSTGRES=1 but GODWIT_TEST_PGBOUNCER_URL is not set: PgBouncer did not start")
        pytest.skip("set GODWIT_TEST_PGBOUNCER_URL to run the PgBouncer test")
    return url


class Neighbours:
    """Other clients of the same pool that leave their session settings behind, as applications
    behind a transaction pooler do: the server sessions Godwit's transactions land on have another
    search_path, and Godwit's own session settings end up on other clients."""

    def __init__(self, url, count=6):
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.loop, args=(url,), daemon=True) for _ in range(count)]
        for thread in self.threads:
            thread.start()

    def loop(self, url):
        connection = psycopg2.connect(url)
        connection.autocommit = True
        with connection.cursor() as cursor:
            while not self.stopping.is_set():
                cursor.execute("SET search_path TO pg_catalog")
                cursor.execute("SELECT pg_sleep(0.002)")
        connection.close()

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join()


@pytest.mark.parametrize("schema", [None, "app"], ids=["public", "schema-app"])
def test_a_real_history_through_pgbouncer_in_transaction_mode(pg_database, workdir, schema):
    database = pg_database()
    url = url_with_database(bouncer_url(), database.name)
    keys = "lock: table\nlock_timeout: 60s\n" + (f"schema: {schema}\n" if schema else "")
    project = Project(workdir / "bouncer", url, keys)
    versions = project.root / "versions"
    shutil.rmtree(versions)
    shutil.copytree(KRATOS, versions)
    for path in versions.glob("*.sql"):
        text = path.read_text()
        if "CREATE INDEX CONCURRENTLY" in text:
            path.write_text(re.sub(r"(CREATE INDEX CONCURRENTLY .*? ON )(\w+)", rf"\1{schema or 'public'}.\2", text))
    revisions = sorted(path.name for path in versions.glob("*.sql"))

    neighbours = Neighbours(url)
    try:
        first, second = project.popen("upgrade"), project.popen("upgrade")
        results = [process.communicate(timeout=600) + (process.returncode,) for process in (first, second)]
    finally:
        neighbours.stop()
    for out, err, code in results:
        assert code in (0, 4), f"exit {code}\n{out}{err}"
    assert any(code == 0 for _, _, code in results)

    qualified = f'"{schema}".' if schema else ""
    rows = database.query(f"SELECT revision, state FROM {qualified}godwit_revisions")
    assert len(rows) == len(revisions), f"{len(rows)} recorded for {len(revisions)} revisions"
    assert {state for _, state in rows} == {"applied"}

    again = project.run("upgrade")
    assert again.returncode == 0 and "nothing to do" in (again.stdout + again.stderr), again.stdout + again.stderr
    verify = project.run("verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    audit = project.run("audit", "verify")
    assert audit.returncode == 0, audit.stdout + audit.stderr
