"""The benchmark's six checks as each kind of engine needs them: shared by the peer scripts in this folder.

A peer runs in its own virtual environment (benchmarks/setup_peers.sh) and is handed the spec that
benchmarks/quality.py writes (SPEC below describes it); it prints one JSON object on its last line of output:
``{"tool", "version", "load_seconds", "seconds": [per repeat], "counts": {check: failing rows}, "notes"}``.

The national register checksum is the one check no peer has built in. Its rule, as python-stdnum (be.nn and
be.bis) and peil apply it, to an 11-digit text YYMMDDSSSCC: the month field 0-12 (national number) or 20-32 /
40-52 (BIS number); CC = 97 - (YYMMDDSSS mod 97), or, for people born from 2000 on, 97 - (2YYMMDDSSS mod 97),
which is only possible when 2000 + YY is not after this year. `national_register_sql` writes it as a DuckDB
expression (the hand-written query and Soda's failed_rows check), `national_register_valid` as vectorised
pandas/NumPy arithmetic (Great Expectations' custom map metric, pandera's custom check).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from collections.abc import Callable
from typing import Any

SPEC = """{
  "parquet": "<file>", "table": "checked", "repeat": 3,
  "checks": {
    "not_null": {"column": "naam"},
    "unique": {"column": "id"},
    "accepted_values": {"column": "status", "values": ["..."]},
    "range": {"column": "bedrag", "min": 0, "max": 1000},
    "pattern": {"column": "postcode", "regex": "[1-9][0-9]{3}"},
    "national_register_number": {"column": "rijksregisternummer"}
  }
}"""
CHECKS = ("not_null", "unique", "accepted_values", "range", "pattern", "national_register_number")


def national_register_sql(text: str, number: str | None = None) -> str:
    """A DuckDB boolean expression: the text `text` (an SQL expression, e.g. a quoted column) is a valid national
    register or BIS number; NULL for NULL. `number` is the same value as BIGINT when the query has it at hand
    (computed once per row in a subquery); by default TRY_CAST(text AS BIGINT), repeated in the expression."""
    number = number or f"TRY_CAST({text} AS BIGINT)"
    base, check = f"({number} // 100)", f"({number} % 100)"
    month = f"({base} // 100000 % 100)"
    return (
        f"(regexp_full_match({text}, '[0-9]{{11}}') AND {number} > 0"
        f" AND ({month} <= 12 OR {month} BETWEEN 20 AND 32 OR {month} BETWEEN 40 AND 52)"
        f" AND (97 - {base} % 97 = {check}"
        f" OR ({base} // 10000000 + 2000 <= year(current_date) AND 97 - (2000000000 + {base}) % 97 = {check})))"
    )


def national_register_valid(values: Any) -> Any:
    """A boolean pandas Series: each text of the Series `values` is a valid national register or BIS number
    (a missing value passes, as in SQL and peil). Vectorised: one regular expression over the column, then int64
    arithmetic."""
    import numpy as np
    import pandas as pd

    shaped = values.astype("string").str.fullmatch(r"[0-9]{11}").fillna(False).to_numpy(dtype=bool)
    number = pd.to_numeric(values.where(shaped, "0"), errors="coerce").fillna(0).to_numpy(dtype=np.int64)
    base, check = number // 100, number % 100
    month, year = base // 100_000 % 100, base // 10_000_000
    month_ok = (month <= 12) | ((month >= 20) & (month <= 32)) | ((month >= 40) & (month <= 52))
    from_2000 = (year + 2000 <= dt.date.today().year) & (97 - (2_000_000_000 + base) % 97 == check)
    valid = shaped & (number > 0) & month_ok & ((97 - base % 97 == check) | from_2000)
    return pd.Series(valid | values.isna().to_numpy(), index=values.index)


def anchored(regex: str) -> str:
    """`regex` made to match the whole text in engines that search (Soda's REGEXP_MATCHES, pandas
    str.contains): peil's pattern check matches the whole text (docs/quality.md)."""
    return f"^(?:{regex})$"


def run(
    tool: str,
    version: str,
    load: Callable[[dict[str, Any]], Any],
    validate: Callable[[Any], dict[str, int]],
    notes: dict[str, str] | None = None,
) -> None:
    """The peer's main: read the spec (argv[1]), load the data once (timed apart), validate `repeat` times, print
    the result as JSON on the last line."""
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    started = time.perf_counter()
    loaded = load(spec)
    load_seconds = time.perf_counter() - started
    seconds, counts = [], {}
    for _ in range(spec["repeat"]):
        started = time.perf_counter()
        counts = validate(loaded)
        seconds.append(time.perf_counter() - started)
    result = {"tool": tool, "version": version, "load_seconds": load_seconds, "seconds": seconds, "counts": counts}
    print(json.dumps({**result, "notes": notes or {}}))
