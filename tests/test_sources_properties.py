"""Properties of the delimited-text reader, over generated tables: what is written is read back exactly, and a
line appended to a file is never lost silently (peer case CSV-10)."""

from __future__ import annotations

import csv
import io
import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_sources_support import fields, write_and_load

from peil.errors import SourceError

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
