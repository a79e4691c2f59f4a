"""Checks on real workspaces: each peer case with its expected rows, the cross-check against hand-written SQL,
thresholds, freshness on a frozen clock, and suggested checks that load and pass."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from peil import workspace
from peil.build import build
from peil.cli import app
from peil.quality import run
from peil.quality.declarations import Freshness
from peil.store import Warehouse

UTC = dt.UTC


def make(root: Path, sources: dict[str, str], data: dict[str, str | bytes]) -> Path:
    """A workspace in `root` with sources/<name>.yaml and data files; not built."""
    (root / "sources").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "peil.yaml").write_text('name: t\nmunicipality: "36015"\n', encoding="utf-8")
    for name, text in sources.items():
        (root / "sources" / f"{name}.yaml").write_text(text, encoding="utf-8")
    for name, content in data.items():
        path = root / "data" / name
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content, encoding="utf-8")
    return root


def rows(root: Path, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(root / ".peil" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def results(root: Path, dataset: str) -> dict[str, tuple[int | None, bool, str]]:
    """The latest build's results of a dataset: check name -> (rows failing, passed, detail JSON)."""
    found = rows(
        root,
        "SELECT check_name, rows_failing, passed, detail FROM meta.check_results "
        "WHERE dataset = ? AND build_id = (SELECT max(build_id) FROM meta.check_results)",
        [dataset],
    )
    return {str(name): (failing, bool(passed), str(detail)) for name, failing, passed, detail in found}  # type: ignore[misc]


def held(root: Path, dataset: str, column: str) -> list[object]:
    """A column's values of the held rows of the dataset's current snapshot, sorted."""
    table, snapshot_id = rows(
        root,
        "SELECT table_name, snapshot_id FROM meta.snapshots WHERE dataset = ? ORDER BY version DESC LIMIT 1",
        [dataset],
    )[0]
    found = rows(
        root,
        f'SELECT t."{column}" FROM meta.quarantine q JOIN {table} t ON t.rowid = q.row_id '
        "WHERE q.snapshot_id = ? AND q.held ORDER BY ALL",
        [snapshot_id],
    )
    return [r[0] for r in found]


def source(path: str, fields: str, checks: str, extra: str = "") -> str:
    return f"path: {path}\nowner: test\n{extra}schema:\n  fields:\n{fields}checks:\n{checks}"


@contextmanager
def evaluated(root: Path, dataset: str, now: dt.datetime) -> Iterator[run.Evaluation]:
    """The checks of `dataset` evaluated on its current snapshot at the frozen moment `now`."""
    loaded = workspace.load(root)
    with Warehouse.open(loaded.warehouse_path, read_only=True) as warehouse:
        current = warehouse.snapshots(dataset)[-1]
        with run.evaluate(warehouse.con, loaded.sources[dataset], current, None, now) as evaluation:
            yield evaluation


# -- DQ-01: unique must not fail on NULLs -----------------------------------------------------------------------


def test_dq01_unique_lets_nulls_be_distinct_and_quarantines_exactly_the_duplicates(tmp_path: Path) -> None:
    root = make(
        tmp_path / "ws",
        {
            "ondernemingen": source(
                "data/kbo.csv",
                "    - {name: id, type: integer}\n    - {name: kbo, type: string}\n",
                "  - {type: unique, column: kbo}\n",
            ),
            "codes": source(
                "data/codes.csv",
                "    - {name: id, type: integer}\n    - {name: code, type: string}\n",
                "  - {type: unique, column: code}\n",
            ),
        },
        {"kbo.csv": "id;kbo\n1;0123456789\n2;0987654321\n3;\n4;\n", "codes.csv": "id;code\n1;A\n2;A\n3;\n"},
    )
    build(root)
    assert results(root, "ondernemingen")["unique_kbo"][:2] == (0, True)
    assert results(root, "codes")["unique_code"][:2] == (2, False)
    assert held(root, "codes", "id") == [1, 2]
    assert held(root, "ondernemingen", "id") == []
    assert rows(root, "SELECT id FROM codes") == [(3,)]


# -- DQ-04: not_null catches NULL and NaN, and says which -------------------------------------------------------


def test_dq04_not_null_fails_null_and_nan_once_each_with_the_reason_like_arrow(tmp_path: Path) -> None:
    table = pa.table(
        {
            "id": [1, 2, 3],
            "bedrag": pa.array([1.0, 2.5, None], pa.float64()),
            "meting": pa.array([1.0, float("nan"), 2.0], pa.float64()),
            "beide": pa.array([None, float("nan"), 3.0], pa.float64()),
        }
    )
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    fields = "".join(f"    - {{name: {n}, type: {'integer' if n == 'id' else 'number'}}}\n" for n in table.column_names)
    checks = "".join(f"  - {{type: not_null, column: {n}, severity: warn}}\n" for n in ("bedrag", "meting", "beide"))
    root = make(
        tmp_path / "ws",
        {"metingen": source("data/m.parquet", fields, checks)},
        {"m.parquet": sink.getvalue().to_pybytes()},
    )
    build(root)
    found = results(root, "metingen")
    # The Arrow path: NULL and NaN are two different things, and a check must count both.
    for column, reasons in (("bedrag", {"null": 1}), ("meting", {"nan": 1}), ("beide", {"null": 1, "nan": 1})):
        values = table.column(column)
        arrow_missing = pc.sum(pc.or_(pc.is_null(values), pc.is_nan(pc.fill_null(values, 0.0)))).as_py()
        failing, passed, detail = found[f"not_null_{column}"]
        assert failing == arrow_missing == sum(reasons.values())
        assert not passed
        for reason, count in reasons.items():
            assert f'"{reason}": {count}' in detail


# -- DQ-05: a pattern is a full match, on every engine ----------------------------------------------------------


def test_dq05_pattern_is_a_full_match_in_sql_as_in_python(tmp_path: Path) -> None:
    values = ["9000", "9000X", "B-9000", "900"]
    regex = "[1-9][0-9]{3}"
    root = make(
        tmp_path / "ws",
        {
            "adressen": source(
                "data/a.csv",
                "    - {name: postcode, type: string}\n",
                f'  - {{type: pattern, column: postcode, regex: "{regex}"}}\n',
            )
        },
        {"a.csv": "postcode\n" + "\n".join(values) + "\n"},
    )
    build(root)
    in_sql = held(root, "adressen", "postcode")
    in_python = sorted(v for v in values if re.fullmatch(regex, v) is None)
    assert in_sql == in_python == sorted(["9000X", "B-9000", "900"])


# -- DQ-07: freshness of a naive timestamp, on a frozen clock ---------------------------------------------------


def _loads(tmp_path: Path, moment: str, timezone: str) -> Path:
    return make(
        tmp_path / timezone.replace("/", "_"),
        {
            "laadlog": source(
                "data/l.csv",
                "    - {name: loaded_at, type: datetime}\n",
                f"  - {{type: freshness, column: loaded_at, max_age: PT1H, timezone: {timezone}}}\n",
            )
        },
        {"l.csv": f"loaded_at\n{moment}\n"},
    )


@pytest.mark.parametrize(
    ("moment", "now"),
    [
        ("2024-06-01 14:00:00", dt.datetime(2024, 6, 1, 12, 30, tzinfo=UTC)),  # summer time, UTC+2
        ("2024-01-15 14:00:00", dt.datetime(2024, 1, 15, 13, 30, tzinfo=UTC)),  # winter time, UTC+1
    ],
)
def test_dq07_a_naive_brussels_timestamp_is_30_minutes_old(tmp_path: Path, moment: str, now: dt.datetime) -> None:
    root = _loads(tmp_path, moment, "Europe/Brussels")
    build(root)
    with evaluated(root, "laadlog", now) as evaluation:
        (result,) = [r for r in evaluation.results if r.check.type == "freshness"]
    assert result.detail["age_minutes"] == 30
    assert result.passed and result.message is None


def test_dq07_read_as_utc_the_same_timestamp_is_in_the_future_and_fails_with_a_warning(tmp_path: Path) -> None:
    root = _loads(tmp_path, "2024-06-01 14:00:00", "UTC")
    build(root)
    with evaluated(root, "laadlog", dt.datetime(2024, 6, 1, 12, 30, tzinfo=UTC)) as evaluation:
        (result,) = [r for r in evaluation.results if r.check.type == "freshness"]
    assert result.detail["age_minutes"] == -90
    assert not result.passed
    assert result.message is not None and "timestamp in the future" in result.message
    assert "time zone" in result.message


def test_freshness_of_a_stale_column_fails_and_without_a_limit_uses_the_update_frequency() -> None:
    check = Freshness(type="freshness", column="d")
    newest = run.moment(dt.date(2024, 1, 1), "Europe/Brussels")
    late = dt.datetime(2024, 1, 10, tzinfo=UTC)
    assert not run.freshness(check, newest, late, "weekly", 1).passed
    assert run.freshness(check, newest, late, "monthly", 1).passed


# -- thresholds ---------------------------------------------------------------------------------------------------


def test_a_threshold_decides_the_verdict_but_failing_rows_are_counted_and_quarantined(tmp_path: Path) -> None:
    data = "id;fte\n" + "".join(f"{i};{1.5 if i <= 2 else 0.5}\n" for i in range(1, 101))
    fields = "    - {name: id, type: integer}\n    - {name: fte, type: number}\n"
    root = make(
        tmp_path / "ws",
        {
            "ruim": source("data/p.csv", fields, "  - {type: range, column: fte, max: 1, threshold: {percent: 2}}\n"),
            "krap": source("data/p.csv", fields, "  - {type: range, column: fte, max: 1, threshold: {rows: 1}}\n"),
        },
        {"p.csv": data},
    )
    build(root)
    assert results(root, "ruim")["range_fte"][:2] == (2, True)
    assert results(root, "krap")["range_fte"][:2] == (2, False)
    assert held(root, "ruim", "id") == [1, 2]
    runner = CliRunner()
    assert runner.invoke(app, ["check", "ruim", "-w", str(root)]).exit_code == 0
    assert runner.invoke(app, ["check", "krap", "-w", str(root)]).exit_code == 1


# -- cross-check: peil's counts equal hand-written SQL on the same table -------------------------------------------


def _crosscheck_data(count: int) -> str:
    rng = random.Random(20250101)
    lines = ["id;code;status;bedrag;postcode;naam;dienst"]
    for i in range(1, count + 1):
        code = rng.choice(["A1", "B2", "C3", "", f"X{i}"])
        status = rng.choice(["open", "gesloten", "OPEN", ""])
        amount = rng.choice(["", "nan", str(rng.uniform(-50, 500)), "12.5"])
        postcode = rng.choice(["9000", "8800", "900", "B-1000", "", "10000", "3000"])
        name = rng.choice(["", "An", "Jan Peeters", "X" * 40])
        service = rng.choice(["FIN", "IT", "HR", "???", ""])
        lines.append(f"{i if i % 97 else i - 1};{code};{status};{amount};{postcode};{name};{service}")
    return "\n".join(lines) + "\n"


CROSS_CHECKS = {
    "not_null_status": "status IS NULL",
    "not_null_bedrag": "bedrag IS NULL OR isnan(bedrag)",
    "unique_code": "code IS NOT NULL AND code IN (SELECT code FROM t GROUP BY code HAVING count(*) > 1)",
    "accepted_values_status": "status IS NOT NULL AND status NOT IN ('open', 'gesloten')",
    "range_bedrag": "bedrag < 0 OR bedrag > 250",
    "pattern_postcode": "postcode IS NOT NULL AND NOT regexp_full_match(postcode, '[1-9][0-9]{3}')",
    "length_naam": "length(naam) < 2 OR length(naam) > 30",
    "primary_key": "id IS NULL OR id IN (SELECT id FROM t GROUP BY id HAVING count(*) > 1)",
    "foreign_key_dienst": "dienst IS NOT NULL AND dienst NOT IN (SELECT code FROM diensten)",
}


def test_failing_row_counts_equal_those_of_the_same_checks_written_by_hand(tmp_path: Path) -> None:
    fields = (
        "    - {name: id, type: integer}\n    - {name: code, type: string}\n    - {name: status, type: string}\n"
        "    - {name: bedrag, type: number}\n    - {name: postcode, type: string}\n    - {name: naam, type: string}\n"
        "    - {name: dienst, type: string}\n"
    )
    checks = (
        "  - {type: not_null, column: status, severity: warn}\n"
        "  - {type: not_null, column: bedrag, severity: warn}\n"
        "  - {type: unique, column: code, severity: warn}\n"
        "  - {type: accepted_values, column: status, values: [open, gesloten]}\n"
        "  - {type: range, column: bedrag, min: 0, max: 250}\n"
        '  - {type: pattern, column: postcode, regex: "[1-9][0-9]{3}"}\n'
        "  - {type: length, column: naam, min: 2, max: 30, severity: warn}\n"
        "  - {type: primary_key, columns: [id], severity: warn}\n"
        "  - {type: foreign_key, columns: [dienst], reference: {dataset: diensten, columns: [code]}}\n"
    )
    root = make(
        tmp_path / "ws",
        {
            "dossiers": source("data/d.csv", fields, checks),
            "diensten": "path: data/s.csv\nowner: t\nschema:\n  fields:\n    - {name: code, type: string}\n",
        },
        {"d.csv": _crosscheck_data(3000), "s.csv": "code\nFIN\nIT\nHR\n"},
    )
    build(root)
    table = rows(root, "SELECT table_name FROM meta.snapshots WHERE dataset = 'dossiers'")[0][0]
    found = results(root, "dossiers")
    for name, condition in CROSS_CHECKS.items():
        by_hand = rows(root, f"WITH t AS (SELECT * FROM {table}) SELECT count(*) FROM t WHERE {condition}")[0][0]
        assert found[name][0] == by_hand, name
        assert by_hand > 0, f"the data should exercise {name}"
    error_checks = [
        n
        for n in CROSS_CHECKS
        if n in ("accepted_values_status", "range_bedrag", "pattern_postcode", "foreign_key_dienst")
    ]
    union = " OR ".join(f"({CROSS_CHECKS[n]})" for n in error_checks)
    expected_held = rows(root, f"WITH t AS (SELECT * FROM {table}) SELECT count(*) FROM t WHERE {union}")[0][0]
    assert len(held(root, "dossiers", "id")) == expected_held
    assert rows(root, "SELECT count(*) FROM dossiers")[0][0] == 3000 - expected_held


# -- suggested checks ---------------------------------------------------------------------------------------------


def test_suggested_checks_load_under_checks_and_pass_on_the_data(tmp_path: Path) -> None:
    data = "nr;rrn;postcode;statuut;fte\n" + "".join(
        f"{i};{n};{p};{s};{f}\n"
        for i, (n, p, s, f) in enumerate(
            [("85.07.30-033.28", "9000", "A", 1.0), ("17073003384", "8800", "B", 0.5)] * 5, start=1
        )
    )
    fields = (
        "    - {name: nr, type: integer}\n    - {name: rrn, type: string}\n    - {name: postcode, type: string}\n"
        "    - {name: statuut, type: string}\n    - {name: fte, type: number}\n"
    )
    root = make(
        tmp_path / "ws",
        {"personeel": source("data/p.csv", fields, "  - {type: not_null, column: nr}\n")},
        {"p.csv": data},
    )
    build(root)
    runner = CliRunner()
    proposed = runner.invoke(app, ["suggest-checks", "personeel", "-w", str(root)])
    assert proposed.exit_code == 0, proposed.output
    assert "type: national_register_number" in proposed.output
    assert "type: postcode" in proposed.output
    path = root / "sources" / "personeel.yaml"
    text = path.read_text(encoding="utf-8").split("checks:")[0]
    indented = "".join(f"  {line}\n" for line in proposed.output.splitlines())
    path.write_text(text + "checks:\n" + indented, encoding="utf-8")
    loaded = workspace.load(root)
    assert {c.type for c in loaded.sources["personeel"].checks} >= {"not_null", "unique", "national_register_number"}
    assert runner.invoke(app, ["check", "-w", str(root)]).exit_code == 0


def test_a_failing_table_check_says_why_in_english_and_on_the_dutch_quality_page_in_dutch(tmp_path: Path) -> None:
    source = """title: Wegingen
path: data/w.csv
format: csv
schema:
  fields: [{name: nr, type: integer}, {name: kg, type: number}]
owner: milieu
classification: internal
licence: none
checks:
  - {type: row_count, min: 1500}
  - {type: schema_drift}
"""
    root = make(
        tmp_path / "ws", {"wegingen": source}, {"w.csv": "nr,kg\n" + "".join(f"{i},1.5\n" for i in range(1204))}
    )
    build(root)
    (root / "data" / "w.csv").write_text("nr,kg\n1,2.5\n", encoding="utf-8")
    (root / "sources" / "wegingen.yaml").write_text(source.replace("type: number", "type: string"), encoding="utf-8")
    build(root)
    found = "SELECT check_name, message FROM meta.check_results WHERE build_id = 2 AND check_type <> 'type'"
    assert dict(rows(root, found)) == {
        "row_count": "row count 1, fewer than 1,500",
        "schema_drift": "columns retyped: kg (DOUBLE -> VARCHAR)",
    }
    page = (root / "site" / "kwaliteit.html").read_text(encoding="utf-8")
    assert "aantal rijen 1, minder dan 1.500" in page
    assert "kolommen van type veranderd: kg (DOUBLE -&gt; VARCHAR)" in page
    assert "fewer than" not in page and "columns retyped" not in page
