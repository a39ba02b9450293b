"""A silent network partition: packets to and from the server are dropped mid-statement (no
reset, no FIN), as when a link or a firewall dies. libpq alone would wait for ever; Godwit's
TCP keepalives and tcp_user_timeout end the run with a clear error in about a minute, and once
the network is back the server releases the lock and the next run completes. Runs a PostgreSQL
server of its own inside a network namespace, where iptables drops its port (root only; scripts/test
installs iptables). SPEC §8; README "PostgreSQL"."""

import os
import pathlib
import shutil
import subprocess
import tempfile
import time
import uuid

import pytest

from conftest import PG_REQUIRED, Project, binary, child_environment

PG_BIN = pathlib.Path("/usr/lib/postgresql/15/bin")
PORT = 55432


def run(*args, check=True, **kwargs):
    return subprocess.run(list(args), check=check, stdin=subprocess.DEVNULL, **kwargs)


def tools_missing():
    missing = [tool for tool in ("ip", "iptables", "runuser") if shutil.which(tool) is None]
    if not (PG_BIN / "pg_ctl").exists():
        missing.append(str(PG_BIN / "pg_ctl"))
    if os.geteuid() != 0:
        missing.append("root")
    return missing


@pytest.fixture
def namespace_server():
    missing = tools_missing()
    if missing:
        if PG_REQUIRED:
            pytest.fail(f"the partition test needs {', '.join(missing)}")
        pytest.skip(f"needs {', '.join(missing)}")
    name = "gw" + uuid.uuid4().hex[:8]
    data = pathlib.Path(tempfile.mkdtemp(prefix="godwit-partition-"))
    shutil.chown(data, "postgres")
    run("ip", "netns", "add", name)
    ns = ["ip", "netns", "exec", name]
    try:
        run(*ns, "ip", "link", "set", "lo", "up")
        run("runuser", "-u", "postgres", "--", str(PG_BIN / "initdb"), "-D", str(data / "db"), "-A", "trust", "-U", "postgres",
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        run(*ns, "runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(data / "db"), "-w", "-t", "60",
            "-l", str(data / "server.log"), "-o", f"-p {PORT} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        yield name, f"postgresql://postgres@127.0.0.1:{PORT}/postgres", data
    finally:
        heal(name)
        run(*ns, "runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(data / "db"), "-m", "immediate", "stop",
            check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        run("ip", "netns", "del", name, check=False)
        shutil.rmtree(data, ignore_errors=True)


def partition(name):
    for rule in (["--dport", str(PORT)], ["--sport", str(PORT)]):
        run("ip", "netns", "exec", name, "iptables", "-A", "INPUT", "-p", "tcp", *rule, "-j", "DROP")


def heal(name):
    run("ip", "netns", "exec", name, "iptables", "-F", "INPUT", check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def sessions(name, url, query):
    result = run("ip", "netns", "exec", name, "psql", url, "-qAtc", query, capture_output=True, text=True, check=False)
    return result.stdout.strip()


def test_a_silent_partition_ends_the_run_within_about_a_minute(namespace_server, workdir):
    name, url, _ = namespace_server
    project = Project(workdir / "p", url, "lock_timeout: 30s")
    project.add("r01", "CREATE TABLE t1 (x integer);", "DROP TABLE t1;")
    project.add("r02", "CREATE TABLE t2 (x integer);\nSELECT pg_sleep(20);", "DROP TABLE t2;")
    command = ["ip", "netns", "exec", name, binary(), "--project", str(project.root), "upgrade"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=child_environment(), stdin=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline and sessions(name, url, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(20)%' AND pid <> pg_backend_pid()") != "1":
        time.sleep(0.1)
    assert time.time() < deadline, "the slow revision never started"
    partition(name)
    started = time.monotonic()
    try:
        out, err = process.communicate(timeout=150)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("godwit still waits 150 s after the partition: no keepalive or tcp_user_timeout ended it")
    waited = time.monotonic() - started
    assert process.returncode == 1, f"exit {process.returncode}\n{out}{err}"
    assert waited < 120, f"the dead link was noticed after {waited:.0f} s"
    assert "environment 'dev'" in err and ("connection" in err or "timed out" in err), err
    heal(name)
    # The server notices the dead client once packets flow again (its next send is answered with a
    # reset), rolls back and frees the lock: the next run completes.
    again = subprocess.run(command, capture_output=True, text=True, env=child_environment(), stdin=subprocess.DEVNULL, timeout=150)
    assert again.returncode == 0, again.stdout + again.stderr
    assert sessions(name, url, "SELECT count(*) FROM godwit_revisions WHERE state = 'applied'") == "2"
