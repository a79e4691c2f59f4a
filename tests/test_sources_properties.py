"""Properties of the delimited-text reader, over generated tables: what is written is read back exactly, a
line appended to a file is never lost silently (peer case CSV-10), and titles above a table change nothing but
the header row."""

from __future__ import annotations

import csv
import io
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_sources_support import fields, load, write_and_load

from peil.errors import SourceError
from peil.sources import examine
from peil.workspace import Source

PIECES = ["a", "b", "é", "€", " ", ";", ",", "|", "\t", '"', "'", "\n", "\r\n", "0"]
# A CR only before an LF: csv.writer would leave a lone CR unquoted, which no reader can tell from a line end.
TEXT = st.lists(st.sampled_from(PIECES), max_size=6).map("".join)
AMOUNT = st.decimals(min_value=-(10**6), max_value=10**6, places=2, allow_nan=False, allow_infinity=False)
ROW = st.tuples(TEXT, st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1), AMOUNT)
FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(
    rows=st.lists(ROW, max_size=12),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    ending=st.sampled_from(["\n", "\r\n"]),
    comma=st.booleans(),
)
def test_a_written_table_is_read_back_exactly(
    rows: list[tuple[str, int, Decimal]], delimiter: str, encoding: str, quoting: int, ending: str, comma: bool
) -> None:
    decimal = "," if comma and delimiter != "," else "."
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator=ending)
    writer.writerow(["naam", "aantal", "bedrag"])
    writer.writerows([(text, number, str(amount).replace(".", decimal)) for text, number, amount in rows])
    declared = encoding if encoding == "cp1252" else None
    with tempfile.TemporaryDirectory() as folder:
        loaded = write_and_load(
            Path(folder),
            "gen.csv",
            out.getvalue().encode(encoding),
            fields("naam", aantal="integer", bedrag="number"),
            decimal=decimal,
            **({"encoding": declared} if declared else {}),
        )
    assert [(r["naam"], r["aantal"], r["bedrag"]) for r in loaded.rows] == [
        (text or None, number, float(amount)) for text, number, amount in rows
    ]
    assert loaded.column("_row") == list(range(2, len(rows) + 2))


LINE = st.text(alphabet="abz09 ;,|\t.-", max_size=12)


@FAST
@given(lines=st.lists(LINE, min_size=1, max_size=15), extra=LINE)
@example(lines=["", "|\t"], extra=";,\t")  # a clean clone's run: read by tab, its blank line was lost
def test_an_appended_line_is_a_row_or_an_error(lines: list[str], extra: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        text = "opmerking\n" + "".join(f"{line}\n" for line in lines)
        try:
            before = write_and_load(root, "c10.csv", text, fields("opmerking")).result.row_count
            after = write_and_load(root, "c10.csv", text + f"{extra}\n", fields("opmerking"))
        except SourceError:
            return  # an explicit error is allowed; a silent loss is not
    assert before == len(lines)
    assert after.result.row_count == before + 1
    if not set(extra) & set(",;|\t"):  # with a delimiter in it, the line may read as an empty value and a delimiter
        assert after.column("opmerking")[-1] == (extra or None)


NAME = st.text(alphabet="abcdéz", min_size=1, max_size=8).map(str.title)  # never a number, date or boolean
STAFF = st.tuples(NAME, st.integers(min_value=0, max_value=10**6), AMOUNT)
TITLE = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZéë0123456789/", min_size=1, max_size=40)
ABOVE = st.lists(st.one_of(TITLE.filter(str.strip), st.just("")), max_size=4)  # titles and blank lines


@FAST
@given(
    rows=st.lists(STAFF, min_size=1, max_size=10),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    comma=st.booleans(),
    above=ABOVE,
    padded=st.booleans(),
)
def test_titles_above_a_table_leave_the_table_infer_proposes_and_reads_as_it_was(
    rows: list[tuple[str, int, Decimal]],
    delimiter: str,
    encoding: str,
    comma: bool,
    above: list[str],
    padded: bool,
) -> None:
    """However many title and blank lines stand above a table (bare, or padded with delimiters as Excel writes
    them), infer proposes the same delimiter, number format, fields and key with the header row below them, and
    the proposal and the reader with only header_row declared read the same values, numbered k rows further."""
    decimal = "," if comma and delimiter != "," else "."
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["naam", "aantal", "bedrag"])
    writer.writerows([(name, number, f"{amount:.2f}".replace(".", decimal)) for name, number, amount in rows])
    pad = delimiter * 2 if padded else ""
    titles = "".join(f"{line}{pad}\r\n" for line in above)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        plain, plain_rows = _proposed_and_read(root, "plain.csv", out.getvalue().encode(encoding))
        titled, titled_rows = _proposed_and_read(root, "titled.csv", (titles + out.getvalue()).encode(encoding))
        declared = {"encoding": "cp1252"} if encoding == "cp1252" else {}
        k = len(above)
        read = write_and_load(
            root, "read.csv", (titles + out.getvalue()).encode(encoding), fields("naam", aantal="integer",
            bedrag="number"), decimal=decimal, header_row=k + 1, **declared,
        )  # fmt: skip
    assert plain["options"]["delimiter"] == delimiter
    # a title such as "é" in a cp1252 file tells its encoding when the table alone, all ASCII, reads as UTF-8 too
    told = encoding == "cp1252" and not titles.isascii()
    proposed = plain["options"] | ({"header_row": k + 1} if k else {}) | ({"encoding": "cp1252"} if told else {})
    assert titled["options"] == proposed
    assert titled["schema"] == plain["schema"]
    expected = [(name, number, float(amount)) for name, number, amount in rows]
    assert [r[:3] for r in plain_rows] == expected and [r[3] for r in plain_rows] == list(range(2, len(rows) + 2))
    assert titled_rows == [(*r[:3], r[3] + k) for r in plain_rows]
    assert [(r["naam"], r["aantal"], r["bedrag"], r["_row"]) for r in read.rows] == titled_rows


def _proposed_and_read(root: Path, name: str, data: bytes) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    """What infer proposes for `data` written to root/name, and (naam, aantal, bedrag, _row) per row as read by
    the proposal."""
    (root / name).write_bytes(data)
    proposed = yaml.safe_load(examine(root / name, root).yaml)
    loaded = load(root, Source.model_validate(proposed | {"name": "t"}))
    return proposed, [(r["naam"], r["aantal"], r["bedrag"], r["_row"]) for r in loaded.rows]
