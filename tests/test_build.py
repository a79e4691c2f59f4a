"""The store keeps every snapshot: unchanged inputs make none, a changed file makes one, a failure loses nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from peil.build import build
from peil.errors import SourceError
from peil.store import Warehouse

POPULATION = "data/bevolking_2009_2015.csv"


def _snapshots(root: Path) -> list[tuple[str, int, int]]:
    con = duckdb.connect(str(root / ".peil" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute("SELECT dataset, version, row_count FROM meta.snapshots ORDER BY ALL").fetchall()
    finally:
        con.close()


def _value(root: Path, sql: str) -> object:
    con = duckdb.connect(str(root / ".peil" / "warehouse.duckdb"), read_only=True)
    try:
        row = con.execute(sql).fetchone()
        return row[0] if row else None
    finally:
        con.close()


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_first_build_snapshots_every_source_and_computes_indicators(starter: Path) -> None:
    summary = build(starter)
    assert summary.snapshots_made == 2
    assert _snapshots(starter) == [("bevolking", 1, 589), ("gemeenten", 1, 589)]
    # Roeselare on 1 January 2015: 60,386 inhabitants (Statbel).
    assert (
        _value(
            starter,
            "SELECT value FROM meta.indicator_values WHERE indicator = 'inwoners' "
            "AND entity = '36015' AND period = '2015'",
        )
        == 60386
    )
    assert summary.indicator_rows["inwoners"] == 590 * 7
    assert (starter / "site" / "index.html").is_file()
    assert summary.warnings == []


def test_a_placeholder_owner_builds_with_a_warning_per_dataset(starter: Path) -> None:
    _replace(starter / "sources" / "gemeenten.yaml", "owner: Strategische cel", "owner: TODO")
    _replace(starter / "sources" / "bevolking.yaml", "owner: Strategische cel", "owner:")
    summary = build(starter)
    assert summary.snapshots_made == 2
    assert summary.warnings == [
        "bevolking: owner is empty; name the department that answers for this dataset",
        "gemeenten: owner is still the placeholder 'TODO'; name the department that answers for this dataset",
    ]
    recorded = _value(starter, f"SELECT summary_json FROM meta.builds WHERE build_id = {summary.build_id}")
    assert json.loads(str(recorded))["warnings"] == summary.warnings


def test_unchanged_source_makes_no_snapshot(starter: Path) -> None:
    build(starter)
    second = build(starter)
    assert second.snapshots_made == 0
    assert not any(result.created for result in second.ingested.values())
    assert _snapshots(starter) == [("bevolking", 1, 589), ("gemeenten", 1, 589)]


def test_changing_one_file_makes_exactly_one_new_snapshot(starter: Path) -> None:
    build(starter)
    _replace(starter / POPULATION, "36015,56893,", "36015,56894,")
    summary = build(starter)
    assert summary.snapshots_made == 1
    assert summary.ingested["bevolking"].created and not summary.ingested["gemeenten"].created
    assert _snapshots(starter) == [("bevolking", 1, 589), ("bevolking", 2, 589), ("gemeenten", 1, 589)]
    with Warehouse.open(starter / ".peil" / "warehouse.duckdb", read_only=True) as warehouse:
        history = warehouse.snapshots("bevolking")
        assert [s.version for s in history] == [1, 2]
        assert history[0].content_hash != history[1].content_hash
        assert history[1].files[0]["path"] == POPULATION
    # The current view shows the new value; the earlier snapshot keeps the old one.
    assert _value(starter, "SELECT \"2009\" FROM bevolking WHERE CD_MUNTY_REFNIS = '36015'") == 56894
    assert _value(starter, "SELECT \"2009\" FROM raw.bevolking__v1 WHERE CD_MUNTY_REFNIS = '36015'") == 56893


def test_the_rows_hash_is_of_the_rows_loaded_not_of_the_files_bytes(starter: Path) -> None:
    """`peil history` shows it (found in a user trial: the hash of the files' bytes was the same for snapshots of
    two sheets of one workbook). The same rows in another order hash alike; a changed value, or another text that
    did not fit its type, does not; a table made before rows kept `_row_hash` is hashed from its values alike."""
    path = starter / POPULATION
    header, *lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    build(starter)
    path.write_text("".join([header, *reversed(lines)]), encoding="utf-8")
    build(starter)
    for old, new in (("36015,56893,", "36015,56894,"), ("36015,56894,", "36015,x,"), ("36015,x,", "36015,y,")):
        _replace(path, old, new)
        build(starter)
    warehouse_path = starter / ".peil" / "warehouse.duckdb"
    with Warehouse.open(warehouse_path, read_only=True) as warehouse:
        snapshots = warehouse.snapshots("bevolking")
        hashes = [warehouse.rows_hash(s) for s in snapshots]
    assert [s.version for s in snapshots] == [1, 2, 3, 4, 5]
    assert snapshots[0].content_hash != snapshots[1].content_hash
    assert hashes[0] == hashes[1]  # the rows in reverse order
    assert len(set(hashes)) == 4  # 56894, then 'x' and 'y': both NULL, their texts kept in _invalid
    con = duckdb.connect(str(warehouse_path))
    try:
        con.execute(f"ALTER TABLE {snapshots[0].table_name} DROP COLUMN _row_hash")
    finally:
        con.close()
    with Warehouse.open(warehouse_path, read_only=True) as warehouse:
        assert warehouse.rows_hash(snapshots[0]) == hashes[0]


def _held(root: Path, dataset: str) -> list[tuple[object, ...]]:
    return _rows(
        root,
        "SELECT q._file, q._row, q.key, [(f.check, f.column, f.reason, f.value) FOR f IN q.failures] "
        "FROM meta.quarantine AS q JOIN meta.snapshots AS s USING (snapshot_id) "
        "WHERE q.dataset = ? AND q.held AND s.version = (SELECT max(version) FROM meta.snapshots WHERE dataset = ?) "
        "ORDER BY q._row",
        [dataset, dataset],
    )


def _rows(root: Path, sql: str, params: list[object]) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(root / ".peil" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize(
    ("first", "second", "said"),
    [
        (
            "2.500,00",
            "3x",
            "2 values do not fit their field's type, the first here '2.500,00'; their rows are "
            "quarantined (check 'type'); it reads as a number written the Belgian way: declare options.decimal: ',' "
            "and options.thousands: '.'",
        ),
        (
            "0,75",
            "1",
            "'0,75' does not fit its field's type; its row is quarantined (check 'type'); it reads as a "
            "number written the Belgian way: declare options.decimal: ','",
        ),
        ("x", "1", "'x' does not fit its field's type; its row is quarantined (check 'type')"),
    ],
    ids=["thousands point", "decimal comma", "no number"],
)
def test_a_value_that_does_not_fit_is_located_and_a_belgian_number_names_its_options(
    tmp_path: Path, first: str, second: str, said: str
) -> None:
    """Found by a new user: the warning named no row or column, and 2.500,00 got no word on the options."""
    root = _wages(tmp_path, "lonen.csv")
    (root / "data" / "lonen.csv").write_text(f"nr;loon\nP1;1500\nP2;{first}\nP3;{second}\n", encoding="utf-8")
    warnings = build(root).ingested["lonen"].snapshot.warnings
    assert f"data/lonen.csv, row 3, column 'loon': {said}" in warnings


def _wages(tmp_path: Path, file: str) -> Path:
    """A workspace of one source, 'lonen' (nr: string, loon: number), read from data/`file`, not written yet."""
    root = tmp_path / "ws"
    (root / "sources").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "peil.yaml").write_text("name: t\nmunicipality: '36015'\n", encoding="utf-8")
    (root / "sources" / "lonen.yaml").write_text(
        f"path: data/{file}\nowner: HR\nschema:\n  fields:\n    - {{name: nr, type: string}}\n"
        "    - {name: loon, type: number}\n",
        encoding="utf-8",
    )
    return root


def test_a_file_that_cannot_be_read_names_its_dataset_and_source_file(tmp_path: Path) -> None:
    """Found by a new user: 'data/lonen.xlsx: the workbook is damaged' named no dataset to look up."""
    root = _wages(tmp_path, "lonen.xlsx")
    (root / "data" / "lonen.xlsx").write_bytes(b"PK\x03\x04" + b"afgebroken" * 20)
    with pytest.raises(SourceError) as caught:
        build(root)
    assert caught.value.message == "the workbook is damaged: its zip archive is cut short or broken"
    assert caught.value.hint is not None
    assert caught.value.hint.endswith("It is the file of the dataset 'lonen', declared in sources/lonen.yaml.")


def test_a_value_that_does_not_fit_its_type_quarantines_its_row_with_the_value(starter: Path) -> None:
    build(starter)
    _replace(starter / POPULATION, "36015,56893,", "36015,56893x,")
    summary = build(starter)
    assert summary.snapshots_made == 1
    assert _held(starter, "bevolking") == [
        (POPULATION, 231, '{"CD_MUNTY_REFNIS":"36015"}', [("type", "2009", "not a whole number", "56893x")])
    ]
    assert (
        f"{POPULATION}, row 231, column '2009': '56893x' does not fit its field's type; its row is quarantined "
        "(check 'type')" in summary.ingested["bevolking"].snapshot.warnings
    )
    # raw keeps every row; the current view leaves the quarantined one out
    assert _value(starter, "SELECT count(*) FROM raw.bevolking__v2") == 589
    assert _value(starter, "SELECT count(*) FROM bevolking") == 588
    assert _value(starter, "SELECT count(*) FROM bevolking WHERE CD_MUNTY_REFNIS = '36015'") == 0
    _replace(starter / POPULATION, "36015,56893x,", "36015,56893,")
    assert build(starter).snapshots_made == 1
    assert _value(starter, "SELECT \"2009\" FROM bevolking WHERE CD_MUNTY_REFNIS = '36015'") == 56893


def test_a_repeated_key_quarantines_every_row_holding_it(starter: Path) -> None:
    path = starter / POPULATION
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join([*lines, lines[230].replace(",60386", ",60999")]), encoding="utf-8")
    build(starter)
    held = _held(starter, "bevolking")
    assert [row for _, row, _, _ in held] == [231, 591]
    assert {failure for _, _, _, failures in held for failure in failures} == {
        ("primary_key", "CD_MUNTY_REFNIS", "duplicate key", "36015")
    }
    assert _value(starter, "SELECT count(*) FROM bevolking") == 588


def test_a_missing_file_is_an_error_and_loses_nothing(starter: Path) -> None:
    build(starter)
    (starter / POPULATION).unlink()
    with pytest.raises(SourceError, match=r"bevolking_2009_2015\.csv"):
        build(starter)
    assert _snapshots(starter) == [("bevolking", 1, 589), ("gemeenten", 1, 589)]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.slow
def test_a_build_killed_during_ingest_leaves_the_store_intact(starter: Path) -> None:
    build(starter)
    big = starter / "data" / "big.csv"
    con = duckdb.connect()
    con.execute(f"COPY (SELECT i AS id, i % 97 AS n FROM range(6000000) t(i)) TO '{big}' (HEADER)")
    con.close()
    (starter / "sources" / "big.yaml").write_text(
        "path: data/big.csv\nowner: test\nschema:\n  fields:\n    - {name: id, type: integer}\n"
        "    - {name: n, type: integer}\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "peil", "build", "-w", str(starter)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while _cpu_seconds(process.pid) < 2.0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the build ended before it could be killed; make big.csv larger"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert _snapshots(starter) == [("bevolking", 1, 589), ("gemeenten", 1, 589)]
    assert _value(starter, "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'big%'") == 0
    summary = build(starter)
    assert summary.snapshots_made == 1
    assert _snapshots(starter) == [("bevolking", 1, 589), ("big", 1, 6000000), ("gemeenten", 1, 589)]
