#!/usr/bin/env python3
"""Generates the benchmark projects of scripts/bench: a Godwit project and an equivalent Alembic
project (the same revision ids, graph and SQL, run with `op.execute`) for one graph shape,
workload and size.

Shapes:
  linear  a chain: every revision's parent is the one before it.
  branchy a branch and a merge every 50 revisions: in each block of 50, revisions 47 and 48
          both have revision 46 as their parent, and revision 49 merges them.
Workloads:
  cheap   one small INSERT into one table that the first revision creates (the tool's own cost shows).
  ddl     a table and an index each.

Usage: generate.py OUT_DIR --shape linear --workload cheap -n 1000 [--no-alembic]
"""

import argparse
import hashlib
import os
import shutil


def revision_id(shape: str, index: int) -> str:
    """A stable 12-hex-digit id, like the ones `godwit revision` writes."""
    return hashlib.sha256(f"godwit-bench/{shape}/{index}".encode()).hexdigest()[:12]


def parents(shape: str, index: int) -> list[int]:
    if index == 0:
        return []
    if shape == "branchy":
        position = index % 50
        if position == 48:
            return [index - 2]  # a sibling of index - 1: revision index - 2 is a branch point
        if position == 49:
            return [index - 2, index - 1]  # the merge of the two
    return [index - 1]


def statements(workload: str, index: int) -> tuple[list[str], list[str]]:
    """The upgrade and downgrade statements of revision `index`, each ending in ';'."""
    if workload == "cheap":
        if index == 0:
            return (
                ["CREATE TABLE bench_items (id integer PRIMARY KEY, note text NOT NULL);",
                 "INSERT INTO bench_items (id, note) VALUES (0, 'revision 0');"],
                ["DROP TABLE bench_items;"],
            )
        return (
            [f"INSERT INTO bench_items (id, note) VALUES ({index}, 'revision {index}');"],
            [f"DELETE FROM bench_items WHERE id = {index};"],
        )
    if workload == "ddl":
        table = f"bench_t{index}"
        return (
            [f"CREATE TABLE {table} (id bigint PRIMARY KEY, name text NOT NULL, created_at timestamp);",
             f"CREATE INDEX {table}_name ON {table} (name);"],
            [f"DROP TABLE {table};"],
        )
    raise ValueError(f"unknown workload {workload!r}")


ENVIRONMENTS = """\
versions: versions
promotion: [dev, test, prod]
default_environment: dev
table_prefix: godwit_
environments:
  # status: three environments at head (SQLite files, or PostgreSQL databases with BENCH_STATUS=pg)
  dev:
    url: ${BENCH_DEV_URL:-sqlite:var/dev.sqlite3}
  test:
    url: ${BENCH_TEST_URL:-sqlite:var/test.sqlite3}
  prod:
    url: ${BENCH_PROD_URL:-sqlite:var/prod.sqlite3}
  # upgrade and downgrade: outside promotion, so never gated
  sqlite:
    url: sqlite:var/bench.sqlite3
  pg:
    url: ${BENCH_PG_URL:-postgresql://127.0.0.1/postgres}
"""

SINGLE_ENVIRONMENT = """\
versions: ../versions
default_environment: {name}
environments:
  {name}:
    url: {url}
"""

ALEMBIC_INI = """\
[alembic]
script_location = %(here)s
sqlalchemy.url = sqlite:///%(here)s/var/alembic.sqlite3
"""

ALEMBIC_ENV = '''\
"""Alembic environment of the benchmark: the URL from BENCH_ALEMBIC_URL, one transaction per
revision unless BENCH_ALEMBIC_ATOMIC=1 (then the whole run in one, as Alembic does by default)."""
import os

from alembic import context
from sqlalchemy import create_engine, pool

url = os.environ.get("BENCH_ALEMBIC_URL") or context.config.get_main_option("sqlalchemy.url")
per_revision = os.environ.get("BENCH_ALEMBIC_ATOMIC") != "1"

if context.is_offline_mode():
    context.configure(url=url, literal_binds=True, transaction_per_migration=per_revision)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, transaction_per_migration=per_revision)
        with context.begin_transaction():
            context.run_migrations()
'''


def godwit_file(rid: str, parent_ids: list[str], index: int, up: list[str], down: list[str]) -> str:
    return (
        f"-- revision: {rid}\n"
        f"-- down_revision: {', '.join(parent_ids)}\n"
        f"-- message: bench revision {index}\n"
        f"-- create_date: 2026-01-01T00:00:00Z\n"
        "\n-- +upgrade\n" + "\n".join(up) + "\n"
        "\n-- +downgrade\n" + "\n".join(down) + "\n"
    )


def alembic_file(rid: str, parent_ids: list[str], index: int, up: list[str], down: list[str]) -> str:
    if not parent_ids:
        down_revision = "None"
    elif len(parent_ids) == 1:
        down_revision = repr(parent_ids[0])
    else:
        down_revision = repr(tuple(parent_ids))
    body_up = "".join(f"    op.execute({s!r})\n" for s in up)
    body_down = "".join(f"    op.execute({s!r})\n" for s in down)
    return (
        f'"""bench revision {index}"""\n'
        "from alembic import op\n\n"
        f"revision = {rid!r}\n"
        f"down_revision = {down_revision}\n"
        "branch_labels = None\n"
        "depends_on = None\n\n\n"
        f"def upgrade():\n{body_up}\n\n"
        f"def downgrade():\n{body_down}"
    )


def generate(out: str, shape: str, workload: str, count: int, alembic: bool = True) -> None:
    """Writes the Godwit project at `out` (and the Alembic one at `out`/alembic)."""
    if os.path.exists(out):
        shutil.rmtree(out)
    versions = os.path.join(out, "versions")
    os.makedirs(versions)
    os.makedirs(os.path.join(out, "environments"))
    os.makedirs(os.path.join(out, "var"))
    with open(os.path.join(out, "environments", "environments.yaml"), "w") as f:
        f.write(ENVIRONMENTS)
    # One-environment projects over the same versions folder: `status` of each alone.
    for name in ("dev", "test", "prod"):
        folder = os.path.join(out, f"only-{name}")
        os.makedirs(os.path.join(folder, "environments"))
        upper = name.upper()
        url = "${BENCH_%s_URL:-sqlite:../var/%s.sqlite3}" % (upper, name)
        with open(os.path.join(folder, "environments", "environments.yaml"), "w") as f:
            f.write(SINGLE_ENVIRONMENT.format(name=name, url=url))
    if alembic:
        alembic_root = os.path.join(out, "alembic")
        os.makedirs(os.path.join(alembic_root, "versions"))
        os.makedirs(os.path.join(alembic_root, "var"))
        with open(os.path.join(alembic_root, "alembic.ini"), "w") as f:
            f.write(ALEMBIC_INI)
        with open(os.path.join(alembic_root, "env.py"), "w") as f:
            f.write(ALEMBIC_ENV)
    ids = [revision_id(shape, index) for index in range(count)]
    if len(set(ids)) != len(ids):
        raise SystemExit("revision id collision; change the id scheme")
    for index, rid in enumerate(ids):
        parent_ids = [ids[p] for p in parents(shape, index)]
        up, down = statements(workload, index)
        with open(os.path.join(versions, f"{rid}_bench_revision_{index}.sql"), "w") as f:
            f.write(godwit_file(rid, parent_ids, index, up, down))
        if alembic:
            with open(os.path.join(out, "alembic", "versions", f"{rid}_bench_revision_{index}.py"), "w") as f:
                f.write(alembic_file(rid, parent_ids, index, up, down))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--shape", choices=["linear", "branchy"], default="linear")
    parser.add_argument("--workload", choices=["cheap", "ddl"], default="cheap")
    parser.add_argument("-n", type=int, default=100)
    parser.add_argument("--no-alembic", action="store_true")
    args = parser.parse_args()
    generate(args.out, args.shape, args.workload, args.n, alembic=not args.no_alembic)


if __name__ == "__main__":
    main()
