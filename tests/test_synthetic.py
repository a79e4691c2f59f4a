"""The synthetic internal data of the example: reproducible to the byte, valid where meant, faulty exactly where
the manifest says (peil.demo.synthetic; the shipped files are in src/peil/demo/workspace/data/synthetic/)."""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from stdnum.be import bis, nn

from peil.demo import workspace_path
from peil.demo.synthetic import DEFAULT_SEED, RATES, Dataset, generate, main, national_number, write

SHIPPED = workspace_path() / "data" / "synthetic"
NUMBER_COLUMNS = {"staff": "rijksregisternummer", "social_cases": "client_rijksregisternummer"}


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def datasets() -> dict[str, Dataset]:
    return {d.name: d for d in generate(DEFAULT_SEED)}


@pytest.fixture(scope="module")
def manifest() -> dict[str, dict[str, object]]:
    found: dict[str, dict[str, object]] = json.loads((SHIPPED / "manifest.json").read_text(encoding="utf-8"))
    return found


def test_shipped_files_are_exactly_what_the_generator_writes(tmp_path: Path) -> None:
    main(["--seed", str(DEFAULT_SEED), "--out", str(tmp_path)])
    assert digests(tmp_path) == digests(SHIPPED)


def test_the_generator_is_deterministic_and_the_seed_matters(tmp_path: Path) -> None:
    write(generate(7), tmp_path / "a", seed=7)
    write(generate(7), tmp_path / "b", seed=7)
    write(generate(8), tmp_path / "c", seed=8)
    assert digests(tmp_path / "a") == digests(tmp_path / "b")
    differing = {name for name, digest in digests(tmp_path / "c").items() if digests(tmp_path / "a")[name] != digest}
    assert differing == set(digests(tmp_path / "a"))


def test_the_files_say_they_are_synthetic(manifest: dict[str, object]) -> None:
    readme = (SHIPPED / "README.md").read_text(encoding="utf-8")
    assert "synthetic" in readme.lower().split("\n")[0]
    assert "python -m peil.demo.synthetic --seed 2026" in readme
    assert manifest["synthetic"] is True and manifest["seed"] == DEFAULT_SEED


def test_sizes_are_those_of_roeselare(datasets: dict[str, Dataset]) -> None:
    assert datasets["staff"].clean_rows == 1000
    assert datasets["training_registrations"].clean_rows == 4000
    open_cases = [r for r in datasets["social_cases"].rows if r["einddatum"] is None]
    assert 880 <= len(open_cases) <= 920
    assert 8_000 <= datasets["container_weighings"].clean_rows <= 13_000  # a 1 % sample of ~200,000 lifts


@pytest.mark.parametrize(
    ("birth", "serial", "bis_number", "expected"),
    [
        (date(1985, 7, 30), 33, False, "85073003328"),  # python-stdnum's own examples
        (date(2017, 7, 30), 33, False, "17073003384"),  # from 2000 on: over 2 followed by the nine digits
        (date(1985, 7, 30), 33, True, "85473003317"),  # BIS: the month plus 40; 97 - 854730033 % 97 = 17
    ],
)
def test_national_number(birth: date, serial: int, bis_number: bool, expected: str) -> None:
    assert national_number(birth, serial, bis_number) == expected
    assert (bis if bis_number else nn).is_valid(expected)


def test_a_serial_outside_the_range_is_refused() -> None:
    with pytest.raises(ValueError, match="1-998"):
        national_number(date(1990, 1, 1), 999)


@pytest.mark.parametrize("name", sorted(NUMBER_COLUMNS))
def test_valid_numbers_pass_stdnum_and_injected_ones_fail(datasets: dict[str, Dataset], name: str) -> None:
    dataset, column = datasets[name], NUMBER_COLUMNS[name]
    bad = {f.key for f in dataset.faults if f.kind == "invalid_checksum"}
    good = [str(r[column]) for r in dataset.rows if dataset.key_of(r) not in bad]
    wrong = [str(r[column]) for r in dataset.rows if dataset.key_of(r) in bad]
    assert len(wrong) == len(bad) > 0
    assert [n for n in good if not (nn.is_valid(n) or bis.is_valid(n))] == []
    assert [n for n in wrong if nn.is_valid(n) or bis.is_valid(n)] == []
    bis_numbers = [n for n in good if bis.is_valid(n)]
    assert 0 < len(bis_numbers) < 0.2 * len(good)
    assert any(n.startswith("0") for n in good), "people born from 2000 on, with a leading zero kept"


def test_fault_counts_follow_the_rates(datasets: dict[str, Dataset]) -> None:
    for dataset in datasets.values():
        for kind, (rate, column) in RATES[dataset.name].items():
            faults = [f for f in dataset.faults if f.kind == kind]
            assert len(faults) == round(rate * dataset.clean_rows), (dataset.name, kind)
            assert {f.column for f in faults} == {column}
        assert len(dataset.rows) == dataset.clean_rows + sum(f.kind == "duplicate_key" for f in dataset.faults)


def test_every_faulty_row_has_one_fault_and_other_keys_are_unique(datasets: dict[str, Dataset]) -> None:
    for dataset in datasets.values():
        keys = [f.key for f in dataset.faults]
        assert len(keys) == len(set(keys)), dataset.name
        rows_per_key: dict[tuple[str, ...], int] = {}
        for row in dataset.rows:
            rows_per_key[dataset.key_of(row)] = rows_per_key.get(dataset.key_of(row), 0) + 1
        duplicated = {f.key for f in dataset.faults if f.kind == "duplicate_key"}
        assert {k for k, n in rows_per_key.items() if n > 1} == duplicated
        assert all(rows_per_key[k] == 2 for k in duplicated)


def read_shipped(dataset: Dataset) -> list[dict[str, str]]:
    """A shipped file's rows as text, read without peil: csv for the CSVs, calamine for the workbooks."""
    path = SHIPPED / dataset.file
    if path.suffix == ".csv":
        encoding = "cp1252" if dataset.name == "training_registrations" else "utf-8"
        with path.open(encoding=encoding, newline="") as f:
            return list(csv.DictReader(f, delimiter=";"))
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    header = [str(h) for h in grid[0]]
    return [
        {h: cell.isoformat() if isinstance(cell, date) else str(cell) for h, cell in zip(header, row, strict=True)}
        for row in grid[1:]
    ]


@pytest.mark.parametrize("name", ["staff", "training_registrations", "social_cases", "container_weighings"])
def test_the_manifest_describes_the_shipped_files(manifest: dict[str, object], name: str) -> None:
    """Each fault is in the shipped file at its key, as the manifest says: an empty cell, the text, the value."""
    described = manifest["datasets"][name]  # type: ignore[index]
    rows = read_shipped(next(d for d in generate(DEFAULT_SEED) if d.name == name))
    assert len(rows) == described["rows"]
    by_key: dict[tuple[str, ...], list[dict[str, str]]] = {}
    for row in rows:
        key = tuple(_iso(row[c]) for c in described["key"])
        by_key.setdefault(key, []).append(row)
    for fault in described["faults"]:
        found = by_key[tuple(fault["key"])]
        assert len(found) == fault["rows"], fault
        if fault["kind"] != "duplicate_key":
            expected = "" if fault["value"] is None else fault["value"]
            assert _iso(found[0][fault["column"]]).replace(",", ".") == expected.replace(",", "."), fault


def _iso(text: str) -> str:
    """dd/mm/yyyy as ISO; other text unchanged."""
    if len(text) == 10 and text[2] == "/" and text[5] == "/":
        return f"{text[6:]}-{text[3:5]}-{text[:2]}"
    return text
