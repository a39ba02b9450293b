"""Generated malformed input — revision files, environments files, arguments — never crashes or
hangs Godwit: it exits 2, and when a file is at fault the error names it as `path:line` (SPEC §8).
The inputs are generated from a fixed seed, so a failure names a reproducible case."""

import random
import re

import pytest

from conftest import Project

GOOD_YAML = """versions: versions
promotion: [dev, test, prod]
default_environment: dev
table_prefix: godwit_
environments:
  dev:
    url: sqlite:var/dev.sqlite3
  test:
    url: sqlite:var/test.sqlite3
  prod:
    url: sqlite:var/prod.sqlite3
    protected: true
    lock_timeout: 10s
"""

REVISIONS = [
    ("a1b2c3d4e5f6", "", "create users", "CREATE TABLE users (id integer PRIMARY KEY);", "DROP TABLE users;"),
    ("b2c3d4e5f6a1", "a1b2c3d4e5f6", "add orders", "CREATE TABLE orders (id integer PRIMARY KEY);\nCREATE INDEX orders_id ON orders (id);", "DROP TABLE orders;"),
    ("c3d4e5f6a1b2", "b2c3d4e5f6a1", "add items", "CREATE TABLE items (id integer);", "DROP TABLE items;"),
]


def revision_text(rid, parent, message, up, down, extra_header=""):
    return (f"-- revision: {rid}\n-- down_revision: {parent}\n-- message: {message}\n"
            f"-- create_date: 2026-12-01T00:00:00Z\n{extra_header}\n-- +upgrade\n{up}\n\n-- +downgrade\n{down}\n")


def base_files():
    return {f"{rid}_{message.replace(' ', '_')}.sql": revision_text(rid, parent, message, up, down).encode()
            for rid, parent, message, up, down in REVISIONS}


def line_of(text, needle):
    return text[:text.index(needle)].count(b"\n") + 1


# Each mutation takes the revision file's bytes (and the rng) and returns the new bytes and the
# line at fault, or None when the fault has no single line (a graph error naming the file).
def insert_at_line(data, rng, payload):
    lines = data.split(b"\n")
    index = rng.randrange(0, len(lines) - 1)
    column = rng.randrange(0, len(lines[index]) + 1)
    lines[index] = lines[index][:column] + payload + lines[index][column:]
    return b"\n".join(lines), index + 1


def header_line(data, key):
    return line_of(data, b"-- " + key + b":")


def replace_header(data, key, value):
    return re.sub(rb"^-- " + key + rb":.*$", b"-- " + key + b": " + value, data, count=1, flags=re.M), header_line(data, key)


REVISION_MUTATIONS = {
    "invalid-utf8": lambda d, r: insert_at_line(d, r, r.choice([b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80"])),
    "nul-byte": lambda d, r: insert_at_line(d, r, b"\x00"),
    "control-char": lambda d, r: insert_at_line(d, r, bytes([r.choice([1, 7, 8, 11, 12, 27, 127])])),
    "unknown-key": lambda d, r: (d.replace(b"-- message:", b"-- mesage:", 1), header_line(d, b"message")),
    "bad-transactional": lambda d, r: (d.replace(b"-- create_date:", b"-- transactional: " + r.choice([b"maybe", b"2", b"yes please"]) + b"\n-- create_date:", 1), header_line(d, b"create_date")),
    "bad-duration": lambda d, r: (d.replace(b"-- create_date:", b"-- " + r.choice([b"lock_timeout", b"statement_timeout"]) + b": " + r.choice([b"0x10s", b" 5 s", b"5 s", b"-1s", b"1e3s", b"1,5s", b"99999999999999999999h", b"5mins", b"s"]) + b"\n-- create_date:", 1), header_line(d, b"create_date")),
    "reserved-id": lambda d, r: (None, None),  # built separately: the file name must follow the id
    "bad-id-chars": lambda d, r: (None, None),
    "duplicate-key": lambda d, r: (d.replace(b"-- create_date:", b"-- message: again\n-- create_date:", 1), header_line(d, b"create_date")),
    "second-upgrade-marker": lambda d, r: (d.replace(b"-- +downgrade", b"-- +upgrade\nSELECT 1;\n-- +downgrade", 1), line_of(d, b"-- +downgrade")),
    "no-upgrade-marker": lambda d, r: (d.replace(b"-- +upgrade", b"-- upgrade", 1), None),
    "sql-before-marker": lambda d, r: (d.replace(b"\n-- +upgrade", b"\nSELECT 1;\n-- +upgrade", 1), line_of(d, b"-- +upgrade")),
    "missing-down-revision": lambda d, r: (re.sub(rb"^-- down_revision:.*\n", b"", d, count=1, flags=re.M), None),
    "unknown-parent": lambda d, r: replace_header(d, b"down_revision", b"ffffffffffff"),
    "bad-depends-on": lambda d, r: (d.replace(b"-- create_date:", b"-- depends_on: nowhere1234\n-- create_date:", 1), header_line(d, b"create_date")),
}


def make_revision_case(rng, index):
    files = base_files()
    name = rng.choice(sorted(files))
    kind = rng.choice(sorted(REVISION_MUTATIONS))
    data = files[name]
    if kind == "reserved-id":
        rid = rng.choice(["head", "heads", "base"])
        name = f"{rid}_x.sql"
        data = revision_text(rid, "c3d4e5f6a1b2", "reserved", "SELECT 1;", "").encode()
        line = 1
    elif kind == "bad-id-chars":
        rid = rng.choice(["abc-def", "abc.def", "ab cd", "abc/def"])
        safe = rid.replace("/", "_").replace(" ", "_")
        name = f"{safe}_x.sql"
        data = revision_text(rid, "c3d4e5f6a1b2", "bad id", "SELECT 1;", "").encode()
        line = 1
    else:
        data, line = REVISION_MUTATIONS[kind](data, rng)
    files[name] = data
    return kind, name, files, line


def env_case(rng):
    cases = [
        ("unknown-top-key", GOOD_YAML.replace("table_prefix:", "tabel_prefix:"), 4),
        ("unknown-env-key", GOOD_YAML.replace("lock_timeout: 10s", "lock_timout: 10s"), 13),
        ("bad-lock-mode", GOOD_YAML.replace("lock_timeout: 10s", "lock: sometimes"), 13),
        ("bad-lint", GOOD_YAML.replace("lock_timeout: 10s", "lint: loud"), 13),
        ("bad-duration", GOOD_YAML.replace("lock_timeout: 10s", "lock_timeout: " + rng.choice(["0x10s", "' 5 s'", "5 s", "-3s", "ten"])), 13),
        ("undeclared-promotion", GOOD_YAML.replace("[dev, test, prod]", "[dev, qa, prod]"), 2),
        ("undeclared-default", GOOD_YAML.replace("default_environment: dev", "default_environment: staging"), 3),
        ("protected-default", GOOD_YAML.replace("default_environment: dev", "default_environment: prod"), 3),
        ("tab-indent", GOOD_YAML.replace("  dev:\n    url", "  dev:\n\turl"), None),
        ("unclosed-list", GOOD_YAML.replace("[dev, test, prod]", "[dev, test, prod"), None),
        ("list-for-map", GOOD_YAML.replace("environments:\n  dev:", "environments:\n  - dev:"), None),
        ("missing-url", GOOD_YAML.replace("    url: sqlite:var/test.sqlite3\n", "    protected: false\n"), 8),
        ("bad-url-scheme", GOOD_YAML.replace("sqlite:var/dev.sqlite3", rng.choice(["mysql://x/y", "http://x", "sqlite", "postgresql://[::1", "://"])), 7),
        ("empty-prefix", GOOD_YAML.replace("table_prefix: godwit_", "table_prefix: ''"), 4),
        ("long-prefix", GOOD_YAML.replace("table_prefix: godwit_", "table_prefix: " + "p" * 70), 4),
        ("bad-prefix", GOOD_YAML.replace("table_prefix: godwit_", "table_prefix: 'my prefix;'"), 4),
        ("empty-audit-log", GOOD_YAML.replace("table_prefix: godwit_", "table_prefix: godwit_\naudit_log: ''"), 5),
        ("var-in-versions", GOOD_YAML.replace("versions: versions", "versions: ${VERSIONS_DIR}"), 1),
        ("duplicate-key", GOOD_YAML.replace("    lock_timeout: 10s", "    lock_timeout: 10s\n    lock_timeout: 20s"), 14),
        ("bad-protected", GOOD_YAML.replace("protected: true", "protected: sure"), 12),
        ("invalid-utf8", GOOD_YAML.replace("default_environment: dev", "default_environment: dev\n# caf\udcc3"), 4),
        ("control-char", GOOD_YAML.replace("table_prefix: godwit_", "table_prefix: godwit_\x1b"), 4),
        ("no-environments", GOOD_YAML.split("environments:")[0], None),
        ("scalar-document", "just a string\n", 1),
        ("bad-yaml", GOOD_YAML.replace("promotion: [dev, test, prod]", "promotion: [dev, test, prod]]"), None),
    ]
    return rng.choice(cases)


ARGUMENT_CASES = [
    ["upgrade", "nowhere"], ["upgrade", "+x"], ["upgrade", "a1b2c3d4e5f6+9"], ["downgrade", "-9"], ["downgrade"],
    ["upgrade", "-e", "staging"], ["upgrade", "--bogus"], ["history", "-r", "a:b:c"], ["history", "-r", "zzzz:"],
    ["wait", "--timeout", "soon"], ["audit", "--since", "last tuesday"], ["audit", "--limit", "-1"],
    ["audit", "--limit", "many"], ["stamp"], ["resolve", "a1b2c3d4e5f6"], ["resolve", "a1b2c3d4e5f6", "--applied", "--rolled-back"],
    ["show"], ["show", "nope"], ["merge", "-m", "x", "nope"], ["promote", "dev", "nowhere"], ["promote"],
    ["upgrade", "--sql", "--dry-run"], ["diff", "dev"], ["diff", "dev", "nowhere"], ["lint", "nope"],
    ["upgrade", "--project", ""], ["revision", "--head", "nope", "-m", "x"], ["upgrade", "head:"], ["upgrade", "@head"],
    ["downgrade", "base+1+1"],
]


def run_case(project, args):
    result = project.run(*args, timeout=30)
    return result


def write_project(root, files, yaml=GOOD_YAML):
    (root / "environments").mkdir(parents=True, exist_ok=True)
    (root / "versions").mkdir(exist_ok=True)
    (root / "environments" / "environments.yaml").write_bytes(yaml.encode("utf-8", "surrogateescape"))
    for name, data in files.items():
        (root / "versions" / name).write_bytes(data)


def test_200_generated_malformed_inputs(workdir):
    rng = random.Random(1206)
    failures = []
    count = 0
    # 110 revision files
    for index in range(110):
        kind, name, files, line = make_revision_case(rng, index)
        root = workdir / f"rev{index}"
        write_project(root, files)
        project = Project.__new__(Project)
        project.root = root
        for args in (["heads"], ["upgrade"]):
            result = run_case(project, args)
            count += 1
            where = f"versions/{name}:" + (str(line) if line else r"\d+")
            if result.returncode != 2:
                failures.append(f"revision {kind} in {name} (godwit {' '.join(args)}): exit {result.returncode}, expected 2: {result.stderr.strip()[:300]}")
            elif not re.search(re.escape(f"versions/{name}:") + (rf"{line}\b" if line else r"\d+"), result.stderr):
                failures.append(f"revision {kind} in {name} (godwit {' '.join(args)}): no {where} in: {result.stderr.strip()[:300]}")
    # 60 environments files
    for index in range(60):
        kind, yaml, line = env_case(rng)
        root = workdir / f"env{index}"
        write_project(root, base_files(), yaml)
        project = Project.__new__(Project)
        project.root = root
        result = run_case(project, ["upgrade", "-e", "dev"])
        count += 1
        if result.returncode != 2:
            failures.append(f"environments {kind}: exit {result.returncode}, expected 2: {result.stderr.strip()[:300]}")
        elif not re.search(r"environments/environments\.yaml:" + (rf"{line}\b" if line else r"\d+"), result.stderr):
            failures.append(f"environments {kind}: no environments/environments.yaml:{line or 'LINE'} in: {result.stderr.strip()[:300]}")
    # arguments
    root = workdir / "args"
    write_project(root, base_files())
    project = Project.__new__(Project)
    project.root = root
    for args in ARGUMENT_CASES:
        result = run_case(project, args)
        count += 1
        if result.returncode != 2:
            failures.append(f"arguments {args}: exit {result.returncode}, expected 2: {result.stderr.strip()[:300]}")
    assert count >= 200
    assert not failures, f"{len(failures)} of {count} inputs:\n" + "\n".join(failures)
