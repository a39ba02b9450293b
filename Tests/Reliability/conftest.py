"""Shared set-up of the reliability suite: the built binary, the PostgreSQL server that
scripts/test starts, throwaway databases and projects, and a runner that treats a hang or a
crash as a failure. See README.md, "Reliability"."""

import os
import pathlib
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import uuid

import psycopg2
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("GODWIT_TEST_POSTGRES_URL") or None
PG_REQUIRED = os.environ.get("GODWIT_REQUIRE_POSTGRES") == "1"

# Environment variables of the caller that would change what the binary does.
SCRUBBED = [
    "GODWIT_PROJECT", "GODWIT_ACTOR", "TEST_DATABASE_URL", "PROD_DATABASE_URL", "SCRATCH_DATABASE_URL",
    "GITHUB_ACTOR", "GITLAB_USER_LOGIN", "BUILDKITE_BUILD_CREATOR",
]


def binary():
    path = os.environ.get("GODWIT_BINARY") or str(ROOT / ".build" / "debug" / "godwit")
    if not os.access(path, os.X_OK):
        pytest.fail(f"no godwit binary at {path}: run `swift build` first, or set GODWIT_BINARY")
    return path


def child_environment(extra=None):
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env["NO_COLOR"] = "1"
    env.update(extra or {})
    return env


CRASH_MARKERS = ("Fatal error", "Stack dump", "Segmentation fault", "Illegal instruction", "Current stack trace")


def assert_no_crash(result, what):
    """A crash is a death by signal, or a runtime trap's text on stderr."""
    assert result.returncode >= 0, f"{what}: killed by signal {-result.returncode}\n{result.stderr}"
    assert result.returncode not in (132, 133, 134, 139), f"{what}: crashed with {result.returncode}\n{result.stderr}"
    for marker in CRASH_MARKERS:
        assert marker not in result.stderr, f"{what}: crashed\n{result.stderr}"


class Project:
    """A Godwit project in a temp folder: an environments file with one environment `dev`, and
    revision files written by the tests."""

    def __init__(self, root, url, extra_env_keys="", prefix="godwit_", top_keys=""):
        self.root = pathlib.Path(root)
        self.url = url
        (self.root / "environments").mkdir(parents=True, exist_ok=True)
        (self.root / "versions").mkdir(exist_ok=True)
        self.write_environments(url, extra_env_keys, prefix, top_keys)
        self.revisions = []

    def write_environments(self, url, extra_env_keys="", prefix="godwit_", top_keys=""):
        text = (
            "versions: versions\npromotion: [dev]\ndefault_environment: dev\n"
            f"table_prefix: {prefix}\n{top_keys}environments:\n  dev:\n    url: '{url}'\n"
        )
        for line in extra_env_keys.splitlines():
            if line.strip():
                text += f"    {line.strip()}\n"
        (self.root / "environments" / "environments.yaml").write_text(text)

    def add(self, rid, up, down="", parent=None, transactional=True, message=None):
        """Writes a revision whose parent is the previous one (or `parent`)."""
        if parent is None:
            parent = self.revisions[-1] if self.revisions else ""
        header = [
            f"-- revision: {rid}", f"-- down_revision: {parent}", f"-- message: {message or rid}",
            "-- create_date: 2026-12-01T00:00:00Z",
        ]
        if not transactional:
            header.append("-- transactional: false")
        text = "\n".join(header) + "\n\n-- +upgrade\n" + up.rstrip() + "\n\n-- +downgrade\n" + down.rstrip() + "\n"
        (self.root / "versions" / f"{rid}_{rid}.sql").write_text(text)
        self.revisions.append(rid)

    def args(self, *args):
        return [binary(), "--project", str(self.root), *args]

    def run(self, *args, timeout=120, env=None, stdin=None):
        """Runs the binary; a run longer than `timeout` seconds is a hang and fails the test."""
        try:
            result = subprocess.run(
                self.args(*args), capture_output=True, text=True, timeout=timeout,
                env=child_environment(env), stdin=subprocess.DEVNULL if stdin is None else None, input=stdin)
        except subprocess.TimeoutExpired:
            pytest.fail(f"godwit {' '.join(args)} hung for more than {timeout}s")
        assert_no_crash(result, "godwit " + " ".join(args))
        return result

    def popen(self, *args, env=None):
        return subprocess.Popen(
            self.args(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=child_environment(env), stdin=subprocess.DEVNULL, start_new_session=True)


def require_pg():
    if PG_URL is None:
        if PG_REQUIRED:
            pytest.fail("GODWIT_REQUIRE_POSTGRES=1 but GODWIT_TEST_POSTGRES_URL is not set: the PostgreSQL server did not start")
        pytest.skip("set GODWIT_TEST_POSTGRES_URL to run the PostgreSQL reliability tests")
    return PG_URL


def url_with_database(url, database):
    """The server URL with its database replaced: postgresql://user@host:port/DB?params."""
    base, question, params = url.partition("?")
    head, _, _ = base.rpartition("/")
    return f"{head}/{database}{question}{params}"


class PostgresDatabase:
    """A database of its own on the test server, dropped at the end."""

    def __init__(self, server_url):
        self.server_url = server_url
        self.name = "rel_" + uuid.uuid4().hex[:12]
        admin = psycopg2.connect(server_url)
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{self.name}"')
        admin.close()
        self.url = url_with_database(server_url, self.name)

    def connect(self):
        connection = psycopg2.connect(self.url)
        connection.autocommit = True
        return connection

    def query(self, sql, args=None):
        connection = self.connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, args)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()

    def execute(self, sql, args=None):
        self.query(sql, args)

    def wait_until_idle(self, timeout=60):
        """Waits until no other session is connected (a killed client's backend finishes its
        statement before it notices)."""
        import time
        deadline = time.time() + timeout
        while time.time() < deadline:
            others = self.query("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")[0][0]
            if others == 0:
                return
            time.sleep(0.05)
        sessions = self.query("SELECT pid, application_name, state, wait_event, left(query, 200) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        raise AssertionError(f"sessions still connected to {self.name} after {timeout}s: {sessions}")

    def drop(self):
        admin = psycopg2.connect(self.server_url)
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def pg_database():
    databases = []

    def make():
        database = PostgresDatabase(require_pg())
        databases.append(database)
        return database

    yield make
    for database in databases:
        database.drop()


@pytest.fixture
def workdir():
    path = pathlib.Path(tempfile.mkdtemp(prefix="godwit-rel-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def sqlite_query(path, sql):
    connection = sqlite3.connect(str(path), timeout=30)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()
