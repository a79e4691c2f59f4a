"""Models: derived tables, one SELECT each, run in the order their SQL implies.

Dependencies come from the SQL itself (sqlglot, DuckDB dialect), as in dbt: a model that selects from another
model runs after it. Names that are neither a dataset, a model nor a CTE of the same statement are an error,
and so is a cycle.

Models and indicators are computed on one DuckDB thread (`one_order`): a float sum then adds its terms in one
order, the table's, so a rebuild (`peil build --as-of`) gives the same values to the last bit. On more threads
the order of the partial sums varies from run to run (507.57981523722106 one time, 507.5798152372211 the next).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from contextlib import contextmanager
from graphlib import CycleError, TopologicalSorter

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from peil.errors import Location, ModelError
from peil.store import quote
from peil.workspace import Model, Workspace


def references(sql: str, file: str) -> set[str]:
    """The table names a single SELECT reads, without its own CTE names and without schema-qualified tables.

    Raises ModelError (file, line) when the SQL does not parse or is not exactly one query.
    """
    try:
        statements = [s for s in sqlglot.parse(sql, dialect="duckdb") if s is not None]
    except ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        raise ModelError(
            f"the SQL does not parse: {first.get('description', exc)}",
            Location(file=file, line=first.get("line")),
        ) from None
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        raise ModelError(
            "a model is exactly one SELECT",
            Location(file=file),
            hint="Split other statements into their own models.",
        )
    statement = statements[0]
    ctes = {cte.alias_or_name for cte in statement.find_all(exp.CTE)}
    return {
        table.name for table in statement.find_all(exp.Table) if table.name and not table.db and table.name not in ctes
    }


def order(workspace: Workspace) -> list[Model]:
    """The workspace's models in an order where every model comes after the models it reads.

    Raises ModelError naming a model that reads an unknown name (with a close match), or the models in a cycle.
    """
    known = workspace.relation_names()
    graph: dict[str, set[str]] = {}
    for model in workspace.models.values():
        file = _file(workspace, model)
        names = references(model.sql, file)
        unknown = sorted(names - known)
        if unknown:
            guess = difflib.get_close_matches(unknown[0], sorted(known), n=1)
            raise ModelError(
                f"reads '{unknown[0]}', which is no dataset or model"
                + (f"; did you mean '{guess[0]}'?" if guess else ""),
                Location(file=file),
                hint=f"Datasets and models: {', '.join(sorted(known))}.",
            )
        graph[model.name] = names & set(workspace.models)
    try:
        ordered = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        cycle = " -> ".join(exc.args[1])
        raise ModelError(f"the models depend on each other in a cycle: {cycle}", hint="Break the cycle.") from None
    return [workspace.models[name] for name in ordered]


def run(con: duckdb.DuckDBPyConnection, workspace: Workspace, datasets: set[str] | None = None) -> dict[str, set[str]]:
    """Materialise every model as a table of its name in dependency order; return each model's upstream names.

    With `datasets`, the sources that exist (an earlier moment, when some were not loaded yet), a model that reads
    another source, or a model left out, is left out too, so the others can be queried.
    Raises ModelError (file) with DuckDB's message when a model's SQL fails.
    """
    upstream: dict[str, set[str]] = {}
    missing = set(workspace.sources) - datasets if datasets is not None else set()
    with one_order(con):
        for model in order(workspace):
            file = _file(workspace, model)
            upstream[model.name] = references(model.sql, file)
            if upstream[model.name] & missing:
                missing.add(model.name)
                continue
            try:
                con.execute(f"CREATE OR REPLACE TABLE main.{quote(model.name)} AS {body(model.sql)}")
            except duckdb.Error as exc:
                raise ModelError(str(exc).strip(), Location(file=file)) from None
    return upstream


@contextmanager
def one_order(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run what is inside on one DuckDB thread, so that floats are summed in the same order every time (see the
    module docstring); the connection's threads setting is restored after."""
    (threads,) = con.execute("SELECT current_setting('threads')").fetchall()[0]
    con.execute("SET threads = 1")
    try:
        yield
    finally:
        con.execute(f"SET threads = {int(threads)}")


def body(sql: str) -> str:
    """The statement without trailing semicolons and white space, to embed in a larger statement."""
    return sql.strip().rstrip(";").rstrip()


def _file(workspace: Workspace, model: Model) -> str:
    return str(model.path.relative_to(workspace.root))
