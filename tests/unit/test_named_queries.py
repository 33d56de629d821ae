"""Every query in `db/` is a module-level named constant, never a string written into a call, and
no other package sends SQL of its own (SQL lives in one place: `db/`).

The test reads each `db/*.py` module with `ast` and lists every call to a query method
(`fetch`, `fetchrow`, `fetchval`, `execute`, `executemany`, `copy_*`, `cursor`) whose query
argument is not a named query: a string literal, an f-string, a concatenation
(`SELECT + " where ..."`) or a local variable built in the function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grannsamverkan.db

DB_DIR = Path(grannsamverkan.db.__file__).parent
PACKAGE_DIR = DB_DIR.parent

QUERY_METHODS = frozenset(
    {
        "fetch",
        "fetchrow",
        "fetchval",
        "execute",
        "executemany",
        "fetchmany",
        "prepare",
        "cursor",
        "copy_from_query",
        "copy_from_table",
        "copy_to_table",
        "copy_records_to_table",
    }
)

# Their first argument is a table name, not SQL.
TABLE_FIRST = frozenset({"copy_from_table", "copy_to_table", "copy_records_to_table"})

# Being converted by other helpers at the same time; the lead removes these entries after
# merging their branches.
NOT_YET_CONVERTED: frozenset[str] = frozenset()


def _is_named(node: ast.expr) -> bool:
    """A query given by name: a module-level UPPER_CASE constant, an attribute (``migration.sql``,
    a constant of another module), a template constant filled in (``VACUUM.format(table=name)``),
    or a choice between such (``GROUP_FOR_UPDATE if lock else GROUP``)."""
    if isinstance(node, ast.Name):
        return node.id.isupper()
    if isinstance(node, ast.Attribute):
        return True
    if isinstance(node, ast.IfExp):
        return _is_named(node.body) and _is_named(node.orelse)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _is_named(node.func.value)
    return False


def _query_argument(call: ast.Call, method: str) -> ast.expr | None:
    """The argument that carries SQL: ``query=``, else the first positional one (for the copy
    methods that take a table name first, only ``query=``)."""
    for keyword in call.keywords:
        if keyword.arg == "query":
            return keyword.value
    if call.args and method not in TABLE_FIRST:
        return call.args[0]
    return None


def inline_queries(source: str, filename: str) -> list[str]:
    """``filename:line`` of every query method call given anything but a named query."""
    offenders = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr not in QUERY_METHODS:
            continue
        argument = _query_argument(node, node.func.attr)
        if argument is not None and not _is_named(argument):
            offenders.append((node.lineno, f"{filename}:{node.lineno}"))
    return [where for _, where in sorted(offenders)]


def test_every_db_query_is_a_named_constant() -> None:
    offenders = []
    for path in sorted(DB_DIR.glob("*.py")):
        if path.name in NOT_YET_CONVERTED:
            continue
        offenders += inline_queries(path.read_text(encoding="utf-8"), f"db/{path.name}")
    assert offenders == [], "queries written inline instead of as named constants:\n" + "\n".join(offenders)


def test_no_sql_outside_db() -> None:
    """Outside `db/` a query method is called only with a query named by a module of `db/`
    (``db_module.QUERY``); a string written there is SQL in the wrong place."""
    offenders = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if path.parent == DB_DIR:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute) or node.func.attr not in QUERY_METHODS:
                continue
            argument = _query_argument(node, node.func.attr)
            if argument is not None and not isinstance(argument, ast.Attribute) and not _is_geometry(node):
                offenders.append(f"{path.relative_to(PACKAGE_DIR)}:{node.lineno}")
    assert offenders == [], "SQL outside db/ (move it to a named query in db/):\n" + "\n".join(offenders)


def _is_geometry(call: ast.Call) -> bool:
    """``shapely.prepare(geom)``: a method named like a query method that is not one."""
    return isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name) and call.func.value.id == "shapely"


def test_the_checker_finds_inline_queries() -> None:
    source = """
QUERY = "select 1"

async def ok(conn):
    await conn.fetchval(QUERY)
    await conn.copy_records_to_table("t", records=[])
    await conn.execute(query=QUERY)

async def bad(conn, table, lock):
    await conn.fetch("select 1")
    await conn.fetchrow(f"select * from {table}")
    await conn.execute("select " + table)
    await conn.executemany(query="insert into t values ($1)", args=[])
    await conn.copy_from_query("select 1", output="x")
    async for _ in conn.cursor("select {}".format(table)):
        pass
    await conn.fetch(QUERY + " for update")
    query = "select 2"
    await conn.fetchval(query)
    await conn.fetchrow(QUERY + " for update" if lock else QUERY)

async def also_ok(conn, table, lock, migration):
    await conn.fetchrow(QUERY_FOR_UPDATE if lock else QUERY)
    await conn.execute(TEMPLATE.format(table=table))
    await conn.execute(migration.sql)
    await conn.copy_to_table("t", source="f")
"""
    assert inline_queries(source, "m.py") == [
        "m.py:10",
        "m.py:11",
        "m.py:12",
        "m.py:13",
        "m.py:14",
        "m.py:15",
        "m.py:17",
        "m.py:19",
        "m.py:20",
    ]
