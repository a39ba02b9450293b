"""Audit tampering: every edit, deletion, reordering, insertion, forgery and wipe of the audit
table is found by `audit verify` (exit 3), right after the tampering and again after a later
legitimate run (which must never seal, copy or bless a record it did not write). Two ways to
make a recomputed chain detectable are tried: the `audit_log:` file, and an HMAC key in
`GODWIT_AUDIT_KEY`. SPEC §4, §6; README "Auditing"."""

import hashlib
import json
import sqlite3

import pytest

from conftest import Project

FIELDS_AS_JSON = ("from_heads", "to_heads", "steps")


def canonical_hash(record):
    body = {key: value for key, value in record.items() if key not in ("hash", "opened")}
    for key in FIELDS_AS_JSON:
        if isinstance(body.get(key), str):
            body[key] = json.loads(body[key])
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()


def tamperings():
    """(name, function(db, rows)) — each changes the table as an attacker with write access would."""
    cases = []
    for field, value in [("actor", "mallory"), ("outcome", "failed"), ("reason", "nothing to see"), ("started_at", "2020-01-01T00:00:00Z"),
                         ("to_heads", '["r01"]'), ("steps", "[]"), ("host", "elsewhere"), ("git_commit", "deadbeef")]:
        cases.append((f"edit-{field}-middle", lambda db, rows, f=field, v=value: db.run(f"UPDATE godwit_audit SET {f} = {db.p} WHERE id = 2", (v,))))
    cases.append(("edit-first", lambda db, rows: db.run(f"UPDATE godwit_audit SET actor = {db.p} WHERE id = 1", ("mallory",))))
    cases.append(("edit-newest", lambda db, rows: db.run(f"UPDATE godwit_audit SET actor = {db.p} WHERE id = {db.p}", ("mallory", rows[-1]["id"]))))
    cases.append(("delete-middle", lambda db, rows: db.run("DELETE FROM godwit_audit WHERE id = 2")))
    cases.append(("delete-first", lambda db, rows: db.run("DELETE FROM godwit_audit WHERE id = 1")))
    cases.append(("delete-newest", lambda db, rows: db.run(f"DELETE FROM godwit_audit WHERE id = {db.p}", (rows[-1]["id"],))))
    cases.append(("delete-all", lambda db, rows: db.run("DELETE FROM godwit_audit")))

    def swap(db, rows, a, b):
        db.run(f"UPDATE godwit_audit SET id = -1 WHERE id = {a}")
        db.run(f"UPDATE godwit_audit SET id = {a} WHERE id = {b}")
        db.run(f"UPDATE godwit_audit SET id = {b} WHERE id = -1")
    cases.append(("reorder-1-2", lambda db, rows: swap(db, rows, 1, 2)))
    cases.append(("reorder-2-3", lambda db, rows: swap(db, rows, 2, 3)))

    def forged(rows, sealed):
        last = rows[-1]
        record = dict(last)
        record.update(id=last["id"] + 1, actor="mallory", operation="upgrade", reason="forged", prev_hash=last["hash"], hash=None)
        if sealed:
            record["hash"] = canonical_hash(record)
        return record

    def insert(db, record):
        columns = list(record)
        db.run(f"INSERT INTO godwit_audit ({', '.join(columns)}) VALUES ({', '.join([db.p] * len(columns))})", tuple(record[c] for c in columns))
    cases.append(("insert-unsealed", lambda db, rows: insert(db, forged(rows, sealed=False))))
    cases.append(("insert-chain-valid", lambda db, rows: insert(db, forged(rows, sealed=True))))

    def rewrite(db, rows):
        """Edits record 2 and recomputes every hash after it with the README's recipe."""
        previous = None
        for row in rows:
            record = dict(row)
            if record["id"] == 2:
                record["actor"] = "mallory"
            if record["id"] >= 2:
                record["prev_hash"] = previous
                record["hash"] = canonical_hash(record)
                db.run(f"UPDATE godwit_audit SET actor = {db.p}, prev_hash = {db.p}, hash = {db.p} WHERE id = {db.p}",
                       (record["actor"], record["prev_hash"], record["hash"], record["id"]))
            previous = record["hash"]
    cases.append(("rewrite-chain", rewrite))
    return cases


class SQLiteAccess:
    p = "?"

    def __init__(self, path):
        self.path = path

    def run(self, sql, args=()):
        connection = sqlite3.connect(str(self.path))
        try:
            connection.execute(sql, args)
            connection.commit()
        finally:
            connection.close()

    def rows(self):
        connection = sqlite3.connect(str(self.path))
        connection.row_factory = sqlite3.Row
        try:
            return [dict(row) for row in connection.execute("SELECT * FROM godwit_audit ORDER BY id")]
        finally:
            connection.close()


class PostgresAccess:
    p = "%s"

    def __init__(self, database):
        self.database = database

    def run(self, sql, args=()):
        self.database.execute(sql, args)

    def rows(self):
        connection = self.database.connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT * FROM godwit_audit ORDER BY id")
                names = [column.name for column in cursor.description]
                return [dict(zip(names, row)) for row in cursor.fetchall()]
        finally:
            connection.close()


MODES = {
    "audit-log": ("audit_log: var/audit.jsonl\n", {}),
    "hmac-key": ("", {"GODWIT_AUDIT_KEY": "k3y-for-tests-only-0123456789abcdef"}),
}


def history(project, env):
    for args in (["upgrade", "r02"], ["upgrade", "r04"], ["downgrade", "-1"]):
        result = project.run(*args, env=env)
        assert result.returncode == 0, result.stdout + result.stderr


def check_case(project, access, env, name, tamper):
    verify = project.run("audit", "verify", env=env)
    assert verify.returncode == 0, f"{name}: before tampering: {verify.stdout}{verify.stderr}"
    tamper(access, access.rows())
    verify = project.run("audit", "verify", env=env)
    assert verify.returncode == 3, f"{name}: not found right after tampering: {verify.stdout}{verify.stderr}"
    later = project.run("upgrade", env=env)  # a legitimate run: may refuse, must not bless
    verify = project.run("audit", "verify", env=env)
    assert verify.returncode == 3, f"{name}: washed away by a later run (exit {later.returncode}: {later.stderr.strip()}): {verify.stdout}{verify.stderr}"


def make(project):
    for i in range(1, 5):
        project.add(f"r{i:02d}", f"CREATE TABLE t{i} (x integer);", f"DROP TABLE t{i};")


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("case", tamperings(), ids=[name for name, _ in tamperings()])
def test_tampering_on_sqlite(workdir, mode, case):
    name, tamper = case
    keys, env = MODES[mode]
    root = workdir / "p"
    root.mkdir()
    project = Project(root, "sqlite:var/db.sqlite3", top_keys=keys)
    (root / "var").mkdir()
    make(project)
    history(project, env)
    check_case(project, SQLiteAccess(root / "var" / "db.sqlite3"), env, name, tamper)


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("case", tamperings(), ids=[name for name, _ in tamperings()])
def test_tampering_on_postgresql(pg_database, workdir, mode, case):
    name, tamper = case
    keys, env = MODES[mode]
    database = pg_database()
    project = Project(workdir / "p", database.url, top_keys=keys)
    make(project)
    history(project, env)
    check_case(project, PostgresAccess(database), env, name, tamper)
