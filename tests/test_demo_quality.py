"""Checks and quarantine on the built example workspace: exactly the injected faults of the synthetic data are held,
by key and by check, and the real open data's known problems are caught (docs/quality.md).

The expected rows come from outside the engine: the generator's manifest (data/synthetic/manifest.json, tested
against the files in tests/test_synthetic.py) and the open-data files read with the csv module. One build of a
copy of the demo serves the module.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from peil.demo import workspace_path
from peil.reports import i18n
from peil.reports.quality import reason_text
from peil.workspace import load

pytestmark = pytest.mark.slow

DATA = workspace_path() / "data"
MANIFEST = json.loads((DATA / "synthetic" / "manifest.json").read_text(encoding="utf-8"))["datasets"]
ESTABLISHMENTS = DATA / "statbel_bestat_extracts_resiterra" / "vestigingseenheden_per_gemeente_kwartaal.csv"
# The check that each kind of injected fault must trip, by the faulty column.
CAUGHT_BY = {
    "invalid_checksum": "national_register_number_{column}",
    "duplicate_key": "primary_key",
    "missing_value": "not_null_{column}",
    "future_date": "date_{column}",
    "text_in_number": "type",
    "negative_weight": "range_{column}",
    "unknown_postcode": "accepted_values_{column}",
    "unknown_value": "accepted_values_{column}",
}


def current(con: duckdb.DuckDBPyConnection, dataset: str) -> tuple[int, str]:
    """The snapshot id and table of the dataset's current (newest) snapshot."""
    row = con.execute(
        "SELECT snapshot_id, table_name FROM meta.snapshots WHERE dataset = ? ORDER BY version DESC LIMIT 1",
        [dataset],
    ).fetchone()
    assert row is not None, f"no snapshot of {dataset}"
    return int(row[0]), str(row[1])


def quarantined(
    con: duckdb.DuckDBPyConnection, dataset: str, columns: list[str], held: bool = True
) -> list[tuple[tuple[str, ...], list[str]]]:
    """Per quarantined row of the current snapshot (held, or only flagged): its `columns` as text, read back from
    the snapshot through _file, _sheet and _row, and the names of the checks it failed."""
    snapshot_id, table = current(con, dataset)
    values = ", ".join(f'CAST(r."{c}" AS VARCHAR)' for c in columns)
    rows = con.execute(
        f"SELECT [{values}], [f.check FOR f IN q.failures] FROM meta.quarantine AS q JOIN {table} AS r "
        "ON r._row = q._row AND r._file IS NOT DISTINCT FROM q._file AND r._sheet IS NOT DISTINCT FROM q._sheet "
        "WHERE q.snapshot_id = ? AND q.held = ?",
        [snapshot_id, held],
    ).fetchall()
    return [(tuple(key), list(checks)) for key, checks in rows]


@pytest.mark.parametrize("dataset", sorted(MANIFEST))
def test_exactly_the_injected_faulty_rows_are_held(con: duckdb.DuckDBPyConnection, dataset: str) -> None:
    described = MANIFEST[dataset]
    expected = Counter({tuple(f["key"]): f["rows"] for f in described["faults"]})
    held = Counter(key for key, _ in quarantined(con, dataset, described["key"]))
    assert held == expected
    assert sum(held.values()) == described["faulty_rows"]


@pytest.mark.parametrize("dataset", sorted(MANIFEST))
def test_each_fault_is_caught_by_its_check(con: duckdb.DuckDBPyConnection, dataset: str) -> None:
    described = MANIFEST[dataset]
    failed: dict[tuple[str, ...], set[str]] = {}
    for key, checks in quarantined(con, dataset, described["key"]):
        failed.setdefault(key, set()).update(checks)
    for fault in described["faults"]:
        check = CAUGHT_BY[fault["kind"]].format(column=fault["column"])
        assert check in failed[tuple(fault["key"])], fault


def test_the_checks_the_faults_trip_fail(con: duckdb.DuckDBPyConnection) -> None:
    """Per dataset, every check an injected kind of fault trips has failed in the latest build."""
    for dataset, described in MANIFEST.items():
        expected = {CAUGHT_BY[f["kind"]].format(column=f["column"]) for f in described["faults"]}
        found = con.execute(
            "SELECT check_name, rows_failing FROM meta.check_results WHERE dataset = ? AND NOT passed "
            "AND build_id = (SELECT max(build_id) FROM meta.check_results)",
            [dataset],
        ).fetchall()
        assert expected <= {name for name, _ in found}, dataset


def test_raw_is_current_plus_quarantine_for_every_dataset(built: Path, con: duckdb.DuckDBPyConnection) -> None:
    for dataset in load(built).sources:
        snapshot_id, table = current(con, dataset)
        raw = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        now = con.execute(f'SELECT count(*) FROM main."{dataset}"').fetchall()[0][0]
        held = con.execute(
            "SELECT count(*) FROM meta.quarantine WHERE snapshot_id = ? AND held", [snapshot_id]
        ).fetchall()[0][0]
        assert raw == now + held, dataset


def test_establishment_units_lose_the_repeated_rows_and_the_unknown_location() -> None:
    """The extract repeats every row of 2023 and has a row "Onbepaalde locatie" without municipality per quarter."""
    with ESTABLISHMENTS.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    seen: set[tuple[str, ...]] = set()
    repeated = 0
    for row in rows:
        repeated += tuple(row.values()) in seen
        seen.add(tuple(row.values()))
    assert (len(rows), repeated) == (3962, 566)


def test_establishment_units_current_rows_are_one_per_municipality_and_quarter(
    con: duckdb.DuckDBPyConnection,
) -> None:
    held = quarantined(con, "establishment_units", ["Gemeente", "Kwartaal"])
    reasons = Counter(check for _, checks in held for check in checks)
    assert len(held) == 566 + 6  # the repeated copies; the first copies of the six unknown-location rows
    assert reasons == {"duplicate_rows": 566, "not_null_gemeente": 7}
    counts = con.execute(
        "SELECT count(*), count(DISTINCT (Gemeente, Kwartaal)), count(DISTINCT Gemeente) "
        'FROM main."establishment_units"'
    ).fetchall()[0]
    assert counts == (565 * 6, 565 * 6, 565)


def test_population_totals_formats_hold_and_two_wrong_regions_are_flagged(con: duckdb.DuckDBPyConnection) -> None:
    """Each yearly file keeps to its own number format; in 2019 Edingen and Lessen carry a wrong region_NL."""
    for year in (2018, 2019, 2020):
        dataset = f"population_totals_{year}"
        assert quarantined(con, dataset, ["NIS_code"]) == [], dataset
        flagged = quarantined(con, dataset, ["NIS_code"], held=False)
        expected = [(("51067",), ["accepted_values_region_nl"]), (("51069",), ["accepted_values_region_nl"])]
        assert sorted(flagged) == (expected if year == 2019 else []), dataset
        found = con.execute(
            "SELECT rows_failing FROM meta.check_results WHERE dataset = ? AND check_name = 'inhabitants_format' "
            "AND build_id = (SELECT max(build_id) FROM meta.check_results)",
            [dataset],
        ).fetchall()
        assert found == [(0,)], dataset


def test_every_reason_the_demo_records_reads_in_dutch(con: duckdb.DuckDBPyConnection) -> None:
    """The quality page shows each failing example's reason in the page language, none as its English code; the
    reasons of custom SQL checks are the demo author's Dutch and shown as written."""
    recorded = {
        str(e["reason"])
        for (examples,) in con.execute("SELECT examples FROM meta.check_results WHERE check_type <> 'sql'").fetchall()
        for e in json.loads(examples)
    }
    dutch = i18n.translations("nl").gettext
    assert {"null", "duplicate key", "invalid", "below minimum", "not a number"} <= recorded
    assert {reason: reason_text(reason, dutch) for reason in recorded if reason_text(reason, dutch) == reason} == {}
    assert reason_text("below minimum", dutch) == "onder het minimum"
    assert reason_text("not in personeel", dutch) == "niet in personeel"
    assert reason_text("after 2026-01-01", dutch) == "na 2026-01-01"
    assert reason_text("postcode hoort niet bij de gemeente", dutch) == "postcode hoort niet bij de gemeente"
