"""Models run in the order their SQL implies; unknown names and cycles are errors naming the file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from peil import models, workspace
from peil.errors import ModelError


def _with_models(root: Path, sql: dict[str, str]) -> workspace.Workspace:
    for name, text in sql.items():
        (root / "models" / f"{name}.sql").write_text(text, encoding="utf-8")
    return workspace.load(root)


def test_references_skip_ctes_and_qualified_tables() -> None:
    sql = "WITH x AS (SELECT * FROM a) SELECT * FROM x JOIN b USING (k) JOIN meta.builds ON true"
    assert models.references(sql, "m.sql") == {"a", "b"}


def test_models_run_after_the_models_they_read(starter: Path) -> None:
    ws = _with_models(starter, {"a_top": "SELECT * FROM b_middle", "b_middle": "SELECT * FROM bevolking_per_jaar"})
    names = [m.name for m in models.order(ws)]
    assert names.index("bevolking_per_jaar") < names.index("b_middle") < names.index("a_top")


def test_a_cycle_is_an_error_naming_its_models(starter: Path) -> None:
    ws = _with_models(starter, {"a": "SELECT * FROM b", "b": "SELECT * FROM c", "c": "SELECT * FROM a"})
    with pytest.raises(ModelError, match=r"cycle: ([abc]) -> [abc] -> [abc] -> \1"):
        models.order(ws)


def test_an_unknown_name_is_named_with_a_guess(starter: Path) -> None:
    ws = _with_models(starter, {"x": "SELECT * FROM bevolkng"})
    with pytest.raises(ModelError) as caught:
        models.order(ws)
    assert caught.value.location is not None and caught.value.location.file == "models/x.sql"
    assert "reads 'bevolkng', which is no dataset or model; did you mean 'bevolking'?" in caught.value.message


def test_a_model_is_one_select(starter: Path) -> None:
    ws = _with_models(starter, {"x": "DELETE FROM bevolking"})
    with pytest.raises(ModelError, match="exactly one SELECT"):
        models.order(ws)


def test_sql_that_does_not_parse_names_the_line(starter: Path) -> None:
    ws = _with_models(starter, {"x": "SELECT *\nFROM bevolking WHERE (("})
    with pytest.raises(ModelError, match="does not parse") as caught:
        models.order(ws)
    assert caught.value.location is not None and caught.value.location.line == 2


def test_trailing_semicolon_is_allowed() -> None:
    assert models.body("SELECT 1;\n ") == "SELECT 1"


def test_models_are_computed_on_one_thread_and_the_setting_comes_back(starter: Path) -> None:
    """On two threads a float sum's partial sums are added in an order that varies from run to run; on one, a
    rebuild (peil build --as-of) gives the same values to the last bit."""
    _with_models(starter, {"threads_seen": "SELECT current_setting('threads') AS n"})
    con = duckdb.connect()
    con.execute("SET threads = 2")
    models.run(con, workspace.load(starter), set())  # no source loaded: only the model that reads none runs
    assert con.execute("SELECT n FROM threads_seen").fetchall() == [(1,)]
    assert con.execute("SELECT current_setting('threads')").fetchall() == [(2,)]
