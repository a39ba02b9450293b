"""A TCP proxy between Godwit and PostgreSQL cuts the connection at a random byte of the run:
Godwit ends with a clear error and a non-zero exit, records nothing by half, the server
releases the lock, and the next run completes. SPEC §6, §8."""

import random
import re
import socket
import threading

from conftest import Project

TRIALS = 20
REVISIONS = 5


class CuttingProxy:
    """Forwards 127.0.0.1:port to the server, and cuts the connection that carries byte number
    `cut_at` of the run (counted over both directions and every connection); later connections
    pass. `cut_at = None` forwards everything and counts the bytes."""

    def __init__(self, upstream_host, upstream_port):
        self.upstream = (upstream_host, upstream_port)
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.count = 0
        self.cut_at = None
        self.did_cut = False
        self.reset_instead_of_close = False
        threading.Thread(target=self.accept, daemon=True).start()

    def arm(self, cut_at, reset):
        with self.lock:
            self.count = 0
            self.cut_at = cut_at
            self.did_cut = False
            self.reset_instead_of_close = reset

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            pair = (client, server)
            threading.Thread(target=self.pump, args=(client, server, pair), daemon=True).start()
            threading.Thread(target=self.pump, args=(server, client, pair), daemon=True).start()

    def cut(self, pair):
        for sock in pair:
            try:
                # A thread blocked in recv() keeps a closed socket alive: shutdown wakes it. With
                # SO_LINGER 0 and SHUT_RD the close sends a reset; SHUT_RDWR sends a FIN.
                if self.reset_instead_of_close:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    sock.shutdown(socket.SHUT_RD)
                else:
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            except OSError:
                pass

    def pump(self, source, destination, pair):
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                return
            if not data:
                try:
                    destination.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            with self.lock:
                start = self.count
                self.count += len(data)
                cutting = self.cut_at is not None and not self.did_cut and start < self.cut_at <= self.count
                if cutting:
                    self.did_cut = True
            if cutting:
                keep = self.cut_at - start - 1
                try:
                    destination.sendall(data[:keep])
                except OSError:
                    pass
                self.cut(pair)
                return
            try:
                destination.sendall(data)
            except OSError:
                return

    def close(self):
        self.listener.close()


def proxied(url, port):
    return re.sub(r"@[^/]+/", f"@127.0.0.1:{port}/", url, count=1)


def test_connection_cut_at_random_points(pg_database, workdir):
    rng = random.Random(2026)
    probe = pg_database()
    host_port = re.search(r"@([^/]+)/", probe.url).group(1)
    host, _, port = host_port.partition(":")
    proxy = CuttingProxy(host, int(port or 5432))

    def make_project(name):
        database = pg_database()
        project = Project(workdir / name, proxied(database.url, proxy.port), "lock_timeout: 20s")
        for i in range(1, REVISIONS + 1):
            project.add(f"r{i:02d}", f"CREATE TABLE t{i} (x integer);\nINSERT INTO t{i} VALUES ({i});", f"DROP TABLE t{i};")
        return database, project

    # Calibration: how many bytes a whole run moves.
    database, project = make_project("calibration")
    proxy.arm(None, False)
    result = project.run("upgrade")
    assert result.returncode == 0, result.stdout + result.stderr
    total = proxy.count
    assert total > 1000, total

    failures_seen = 0
    try:
        for trial in range(TRIALS):
            database, project = make_project(f"trial{trial}")
            proxy.arm(rng.randrange(1, total), reset=trial % 2 == 1)
            result = project.run("upgrade", timeout=120)
            database.wait_until_idle()
            tables = {row[0] for row in database.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
            recorded = {}
            if "godwit_revisions" in tables:
                recorded = dict(database.query("SELECT revision, state FROM godwit_revisions"))
            complete = all(recorded.get(f"r{i:02d}") == "applied" for i in range(1, REVISIONS + 1))
            if result.returncode != 0 or not complete:
                assert proxy.did_cut
                assert result.returncode == 1, f"trial {trial}: exit {result.returncode}\n{result.stderr}"
                assert "environment 'dev'" in result.stderr or "'dev'" in result.stderr, result.stderr
                failures_seen += 1
            # Nothing half-recorded: a recorded revision's table exists, and no table without its record.
            for i in range(1, REVISIONS + 1):
                state = recorded.get(f"r{i:02d}")
                assert state in (None, "applied"), f"trial {trial}: r{i:02d} is {state}"
                assert (state == "applied") == (f"t{i}" in tables), f"trial {trial}: r{i:02d} {state} but tables {sorted(tables)}"
            # The lock was released and the next run completes.
            proxy.arm(None, False)
            again = project.run("upgrade", timeout=120)
            assert again.returncode == 0, f"trial {trial}: the next run: {again.stdout}{again.stderr}"
            verify = project.run("audit", "verify")
            assert verify.returncode == 0, f"trial {trial}: {verify.stdout}{verify.stderr}"
            database.drop()
    finally:
        proxy.close()
    assert failures_seen >= TRIALS // 2, f"only {failures_seen} of {TRIALS} cuts broke the run"
