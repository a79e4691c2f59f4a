"""A copy that holds only some rows of another copy, with the same values, is an extract of it (a filtered export)
and is never recommended over it, however recent it is (found in a user trial)."""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from rich.console import Console

from peil.reports.scan import render_page
from peil.scan import Scan, scan
from peil.scan.model import LostZeros
from peil.scan.output import print_scan, to_json
from peil.workspace import Language

HEADER = "code;naam;klasse\n"
FULL = [f"{i:05d};naam {i};{i % 7}\n" for i in range(1, 201)]
PART = [row for i, row in enumerate(FULL, start=1) if i % 5 in (1, 2, 3)]  # 120 rows
EDITED = [f"{i:05d};naam {i};{(i % 7) + (10 if i % 10 == 0 else 0)}\n" for i in range(1, 201)]  # 20 cells edited


def write(folder: Path, name: str, lines: list[str], modified: datetime, header: str = HEADER) -> None:
    (folder / name).write_text(header + "".join(lines), encoding="utf-8")
    os.utime(folder / name, (modified.timestamp(), modified.timestamp()))


def trial(folder: Path, part: list[str] = PART, header: str = HEADER) -> Scan:
    """The user trial's folder scanned: two full copies of a list of 200 rows from January, a copy of 120 of its
    rows (`part`) from June and one of the last 60 of those from March."""
    write(folder, "a_vol.csv", FULL, datetime(2025, 1, 10, tzinfo=UTC))
    write(folder, "b_vol.csv", FULL, datetime(2025, 1, 20, tzinfo=UTC))
    write(folder, "c_deel.csv", part, datetime(2025, 6, 10, tzinfo=UTC), header)
    write(folder, "d_klein.csv", PART[-60:], datetime(2025, 3, 10, tzinfo=UTC))
    return scan(folder)


def test_the_newest_partial_copy_scores_highest_but_the_full_copy_holding_it_is_recommended(tmp_path: Path) -> None:
    result = trial(tmp_path)
    (group,) = result.groups
    assert [m.table.path for m in group.members] == ["a_vol.csv", "b_vol.csv", "d_klein.csv", "c_deel.csv"]
    assert [m.keys for m in group.members] == [200, 200, 60, 120]
    assert [round(m.score, 2) for m in group.members] == [0.8, 0.8, 0.67, 0.88]  # c_deel: the most recent
    assert [m.extract_of for m in group.members] == [[], [], [0, 1, 3], [0, 1]]  # d_klein is c_deel's extract too
    assert group.recommended == 1 and group.extracts == [2, 3]
    assert group.reasons == ["keys", "extracts"]
    found = to_json(result)["groups"][0]
    assert found["recommended"] == "b_vol.csv" and found["reasons"] == ["keys", "extracts"]
    assert {f["path"]: f["extract_of"] for f in found["files"]} == {
        "a_vol.csv": [],
        "b_vol.csv": [],
        "d_klein.csv": ["a_vol.csv", "b_vol.csv", "c_deel.csv"],
        "c_deel.csv": ["a_vol.csv", "b_vol.csv"],
    }
    out = io.StringIO()
    print_scan(Console(file=out, width=200), result)
    assert "Recommended: b_vol.csv: holds the most keys and holds every row of d_klein.csv and c_deel.csv." in (
        out.getvalue()
    )


def test_the_page_joins_the_reasons_as_a_list_in_its_language(tmp_path: Path) -> None:
    """A file name in the list is escaped once, as anywhere on the page."""
    trial(tmp_path)
    (tmp_path / "d_klein.csv").rename(tmp_path / "d_klein & co's.csv")
    result = scan(tmp_path)
    dutch, english = render_page(result, "nl"), render_page(result, "en")
    assert (
        "omdat ze de meeste sleutels bevat en ze alle rijen van d_klein &amp; co&#39;s.csv en c_deel.csv bevat."
        in dutch
    )
    assert (
        "because it holds the most keys and it holds every row of d_klein &amp; co&#39;s.csv and c_deel.csv." in english
    )


@pytest.mark.parametrize(
    ("part", "header", "top", "recommended"),
    [
        ([*PART, "00201;naam 201;5\n"], HEADER, ["c_deel.csv"], "c_deel.csv"),  # a row of its own
        ([row.replace("naam 1;", "naam een;") for row in PART], HEADER, ["c_deel.csv"], "c_deel.csv"),  # a cell
        ([row.replace("\n", ";nieuw\n") for row in PART], "code;naam;klasse;opmerking\n", ["c_deel.csv"], "c_deel.csv"),
        # a row not compared, its key being on an earlier row: c_deel holds a key twice and is passed over
        ([*PART, "00001;naam 1 bis;1\n"], HEADER, ["a_vol.csv", "b_vol.csv"], "b_vol.csv"),
    ],
    ids=["row", "cell", "column", "repeated key"],
)
def test_a_partial_copy_holding_anything_the_full_copies_lack_is_no_extract(
    tmp_path: Path, part: list[str], header: str, top: list[str], recommended: str
) -> None:
    """Then the score decides, as for any copies: it may be a newer version (its edited cell is one value against
    one, the full copies being byte-identical, so no majority says it is wrong; holding a key twice, it is
    passed over). `top` are the copies, not passed over, with the highest score: the most recent c_deel; or, when
    it holds a key twice, a_vol and b_vol, tied exactly (byte-identical, b_vol taking a_vol's time as its
    content's), so the tie goes to the newer file, b_vol (January 20, a_vol January 10)."""
    (group,) = trial(tmp_path, part, header).groups
    partial = next(m for m in group.members if m.table.path == "c_deel.csv")
    assert partial.extract_of == []
    eligible = [m for m in range(4) if not group.members[m].duplicates]
    best = max(group.members[m].score for m in eligible)
    assert [group.members[m].table.path for m in eligible if group.members[m].score == best] == top
    assert group.members[group.recommended].table.path == recommended
    assert group.extracts == [2]  # d_klein holds only rows of every other copy, with their values


def test_a_copy_holding_a_key_twice_is_passed_over_while_another_holds_each_once(tmp_path: Path) -> None:
    """The newest copy holds 30 keys twice, with another klasse in the second row: which row counts cannot be told,
    so it is not recommended, and the terminal counts its keys twice (found by a new user: it scored 1.00)."""
    write(tmp_path, "orig.csv", FULL, datetime(2025, 1, 10, tzinfo=UTC))
    doubled = FULL + [row.rsplit(";", 1)[0] + ";9\n" for row in FULL[:30]]  # the same code and name, klasse 9
    write(tmp_path, "dubbel.csv", doubled, datetime(2025, 6, 10, tzinfo=UTC))
    result = scan(tmp_path)
    (group,) = result.groups
    assert [(m.table.path, m.duplicates) for m in group.members] == [("orig.csv", 0), ("dubbel.csv", 30)]
    assert group.members[1].score > group.members[0].score  # the most recent, all keys, no conflict counted
    assert group.members[group.recommended].table.path == "orig.csv" and group.reasons[-1] == "unique"
    out = io.StringIO()
    print_scan(Console(file=out, width=200), result)
    assert "Recommended: orig.csv: holds each key once, where dubbel.csv hold some twice." in out.getvalue()
    assert "│ 30 " in out.getvalue()  # the column "keys twice"
    page = render_page(result, "nl")
    assert "ze elke sleutel één keer bevat, waar dubbel.csv er sommige twee keer bevatten" in page


def test_the_terminal_says_how_many_keys_and_conflicts_it_does_not_list(tmp_path: Path) -> None:
    write(tmp_path, "a.csv", FULL, datetime(2025, 1, 10, tzinfo=UTC))
    edited = [row.replace(";naam ", ";ander ") for row in FULL[:25]] + FULL[25:180]
    write(tmp_path, "b.csv", edited, datetime(2025, 2, 10, tzinfo=UTC))
    out = io.StringIO()
    print_scan(Console(file=out, width=200), scan(tmp_path))
    text = out.getvalue()
    assert "20 keys are not in every copy:" in text and "… and 10 more; --format json or --html lists them all" in text
    assert "25 conflicting cells" in text and "… and 15 more; --format json or --html lists them all" in text


def test_untouched_copies_of_a_file_are_one_vote_against_the_copy_that_was_edited(tmp_path: Path) -> None:
    """Two byte-identical copies of January's list hold the old value of the 20 cells that June's copy edited;
    counted apart they would outvote it, and a stale copy would be recommended (found in a user trial)."""
    write(tmp_path, "personeel.csv", FULL, datetime(2025, 1, 10, tzinfo=UTC))
    write(tmp_path, "Kopie van personeel.csv", FULL, datetime(2025, 1, 20, tzinfo=UTC))
    write(tmp_path, "personeel_v2_def.csv", EDITED, datetime(2025, 6, 10, tzinfo=UTC))
    (group,) = scan(tmp_path).groups
    assert [m.table.path for m in group.members] == ["personeel.csv", "Kopie van personeel.csv", "personeel_v2_def.csv"]
    assert group.conflicts_total == 20
    assert [m.criteria["agreement"] for m in group.members] == [1.0, 1.0, 1.0]  # one old value against one new
    assert [round(m.score, 2) for m in group.members] == [0.8, 0.8, 1.0]  # the copy as recent as its original
    assert group.members[group.recommended].table.path == "personeel_v2_def.csv"
    assert group.reasons == ["recency"]


def test_a_copy_saved_again_as_a_workbook_is_one_vote_with_the_list_it_copies(tmp_path: Path) -> None:
    """Not byte-identical, the same rows and values: January's list saved again as .xlsx in February does not
    outvote June's edit either (found by a new user)."""
    write(tmp_path, "personeel.csv", FULL, datetime(2025, 1, 10, tzinfo=UTC))
    book = openpyxl.Workbook()
    book.active.append(["code", "naam", "klasse"])
    for i in range(1, 201):
        book.active.append([f"{i:05d}", f"naam {i}", i % 7])
    book.save(tmp_path / "personeel.xlsx")
    february = datetime(2025, 2, 10, tzinfo=UTC).timestamp()
    os.utime(tmp_path / "personeel.xlsx", (february, february))
    write(tmp_path, "personeel_v2_def.csv", EDITED, datetime(2025, 6, 10, tzinfo=UTC))
    (group,) = scan(tmp_path).groups
    assert [m.table.path for m in group.members] == ["personeel.csv", "personeel.xlsx", "personeel_v2_def.csv"]
    assert group.conflicts_total == 20
    assert [m.criteria["agreement"] for m in group.members] == [1.0, 1.0, 1.0]
    assert group.members[group.recommended].table.path == "personeel_v2_def.csv"


@pytest.mark.parametrize(
    "june",
    [EDITED, [*FULL[1:], "00201;naam 201;5\n"]],
    ids=["cells edited", "a row removed and one added"],
)
def test_a_later_plain_copy_of_an_old_list_is_no_newer_than_the_list(tmp_path: Path, june: list[str]) -> None:
    """January's list copied again in August (the same rows and values) is as recent as January's, so June's edit
    is the most recent version and is recommended (found in a user trial: the August copy was)."""
    write(tmp_path, "personeel.csv", FULL, datetime(2025, 1, 10, tzinfo=UTC))
    write(tmp_path, "personeel_v2_def.csv", june, datetime(2025, 6, 10, tzinfo=UTC))
    write(tmp_path, "personeel_kopie.csv", FULL, datetime(2025, 8, 10, tzinfo=UTC))
    (group,) = scan(tmp_path).groups
    assert [m.table.path for m in group.members] == ["personeel.csv", "personeel_v2_def.csv", "personeel_kopie.csv"]
    assert [m.criteria["recency"] for m in group.members] == [0.0, 1.0, 0.0]
    assert group.members[group.recommended].table.path == "personeel_v2_def.csv" and group.reasons == ["recency"]


@pytest.mark.parametrize(
    ("second", "seconds", "reason", "recommended", "terminal", "dutch", "english"),
    [
        (
            FULL,
            10,
            "alike",
            "b.csv",
            "is the newest of copies alike in every row and value",
            "ze de nieuwste is van kopieën die in elke rij en waarde gelijk zijn",
            "it is the newest of copies alike in every row and value",
        ),
        (
            EDITED,
            10,
            "newer",
            "b.csv",
            "was modified last; no criterion sets the copies apart",
            "ze het laatst gewijzigd is; geen enkel criterium onderscheidt de kopieën",
            "it was modified last; no criterion sets the copies apart",
        ),
        (
            EDITED,
            0,
            "first",
            "a.csv",
            "comes first by name; no criterion sets the copies apart",
            "ze op naam als eerste komt; geen enkel criterium onderscheidt de kopieën",
            "it comes first by name; no criterion sets the copies apart",
        ),
    ],
    ids=["alike", "conflicting, one saved later", "conflicting, saved at once"],
)
def test_the_recommendation_says_what_decided_when_no_criterion_does(
    tmp_path: Path,
    second: list[str],
    seconds: int,
    reason: str,
    recommended: str,
    terminal: str,
    dutch: str,
    english: str,
) -> None:
    """Two copies saved `seconds` apart, so equally recent: alike, or 20 cells differing one value against one
    (found in a user trial: 'the copies are alike' was said of copies that conflict)."""
    write(tmp_path, "a.csv", FULL, datetime(2025, 1, 10, tzinfo=UTC))
    write(tmp_path, "b.csv", second, datetime(2025, 1, 10, 0, 0, seconds, tzinfo=UTC))
    result = scan(tmp_path)
    (group,) = result.groups
    assert group.members[group.recommended].table.path == recommended
    assert group.reasons == to_json(result)["groups"][0]["reasons"] == [reason]
    out = io.StringIO()
    print_scan(Console(file=out, width=200), result)
    assert f"Recommended: {recommended}: {terminal}." in out.getvalue()
    assert f"omdat {dutch}.</p>" in render_page(result, "nl")
    assert f"because {english}.</p>" in render_page(result, "en")


@pytest.mark.parametrize(
    ("language", "rule"),
    [
        (
            "nl",
            "Kopieën met dezelfde rijen en waarden, zoals een bestand dat gekopieerd of in een ander formaat opnieuw "
            "bewaard is, tellen als één stem in die meerderheid en zijn zo recent als de oudste van hen: een later "
            "gemaakte kopie is geen nieuwere versie.",
        ),
        (
            "en",
            "Copies with the same rows and values, such as a file copied or saved again in another format, count as "
            "one vote in that majority, and are as recent as the oldest of them: a copy made later is not a newer "
            "version.",
        ),
    ],
)
def test_the_page_explains_that_copies_alike_are_one_vote(tmp_path: Path, language: Language, rule: str) -> None:
    """The explanation of the recommendation states the one-vote rule (found in a user trial: it did not)."""
    page = render_page(trial(tmp_path), language)
    explained = page[page.index("<details>") : page.index("</details>")]
    assert rule in explained


STAFF_HEADER = "personeelsnummer;naam;dienst;loon\n"
STAFF = [f"{i:05d};naam {i};{'OCMW' if i % 5 == 0 or i < 4 else 'Stad'};{2000 + i}\n" for i in range(1, 201)]
OCMW = [row for row in STAFF if ";OCMW;" in row]  # 43 rows
JUNE = [row for row in STAFF if not row.startswith("00017;")] + ["00201;naam 201;Stad;2201\n"]


def staff_trial(folder: Path) -> Scan:
    """The new user's trial scanned: January's list of 200 staff, a byte-identical copy of it in sub/ made in
    February, an export of its 43 OCMW staff in March (an extract), and June's version, which removed 00017, added
    00201 and calls the column loon brutoloon."""
    folder.mkdir(exist_ok=True)
    write(folder, "personeel_jan.csv", STAFF, datetime(2025, 1, 10, tzinfo=UTC), STAFF_HEADER)
    (folder / "sub").mkdir()
    copied = folder / "sub" / "Kopie van personeel_jan.csv"
    copied.write_bytes((folder / "personeel_jan.csv").read_bytes())
    os.utime(copied, (datetime(2025, 2, 1, tzinfo=UTC).timestamp(),) * 2)
    write(folder, "ocmw_only.csv", OCMW, datetime(2025, 3, 10, tzinfo=UTC), STAFF_HEADER)
    write(
        folder,
        "personeel_jun_v2.csv",
        JUNE,
        datetime(2025, 6, 10, tzinfo=UTC),
        STAFF_HEADER.replace("loon", "brutoloon"),
    )
    return scan(folder)


def test_the_keys_a_version_lacks_come_before_those_only_an_extract_lacks(tmp_path: Path) -> None:
    """Of the 158 keys not in every copy, 156 are only absent from the OCMW export; the two that a version lacks
    (00017 removed in June, 00201 added) are listed first, and the rest are counted apart (found in a user trial:
    they came after 00004 ... 00016, which only the extract lacks)."""
    result = staff_trial(tmp_path)
    out = io.StringIO()
    print_scan(Console(file=out, width=200), result)
    lines = [line.strip() for line in out.getvalue().splitlines()]
    assert lines[lines.index("158 keys are not in every copy:") + 1 :][:3] == [
        "00017: not in ocmw_only.csv, personeel_jun_v2.csv",
        "00201: not in personeel_jan.csv, sub/Kopie van personeel_jan.csv, ocmw_only.csv",
        "00004: not in ocmw_only.csv",
    ]
    assert "156 of these keys are only absent from the extract ocmw_only.csv" in lines
    (group,) = result.groups
    assert group.presence_total == 158 and group.absent_from_extracts == 156
    found = to_json(result)["groups"][0]
    assert [k["key"] for k in found["keys_not_everywhere"][:3]] == ["00017", "00201", "00004"]
    assert found["keys_only_absent_from_extracts"] == 156
    page = render_page(result, "nl")
    rows = page[page.index('<table class="scan-presence">') :]
    assert rows.index("<td>00017</td>") < rows.index("<td>00201</td>") < rows.index("<td>00004</td>")
    assert "Sleutels die alleen ontbreken in het uittreksel ocmw_only.csv, als laatste vermeld: 156" in page
    assert "Keys only absent from the extract ocmw_only.csv, listed last: 156" in render_page(result, "en")


def test_the_terminal_names_a_renamed_column_as_the_page_does(tmp_path: Path) -> None:
    """Found in a user trial: the page and the JSON said that June's copy calls loon brutoloon; the terminal did
    not."""
    result = staff_trial(tmp_path)
    out = io.StringIO()
    print_scan(Console(file=out, width=200), result)
    assert "The column loon is called brutoloon in personeel_jun_v2.csv." in out.getvalue().splitlines()
    assert "De kolom loon heet brutoloon in personeel_jun_v2.csv." in render_page(result, "nl")
    assert to_json(result)["groups"][0]["files"][-1]["columns"]["loon"] == "brutoloon"


def counts_without_key(folder: Path) -> Scan:
    """Counts per service, without a key column, scanned: January's list of 40 rows, a byte-identical copy of it
    made in February, and March's list of as many rows with other counts."""
    counts = [f"{('Stad', 'OCMW', 'Politie', 'Brandweer')[i % 4]};{i % 3}\n" for i in range(40)]
    march = [row.replace(";2\n", ";1\n") for row in counts]
    folder.mkdir(exist_ok=True)
    for name, rows, month in (
        ("tellingen.csv", counts, 1),
        ("tellingen_kopie.csv", counts, 2),
        ("tellingen_maart.csv", march, 3),
    ):
        write(folder, name, rows, datetime(2025, month, 10, tzinfo=UTC), "dienst;aantal\n")
    return scan(folder)


def test_the_same_rows_and_values_are_told_by_the_rows_only_where_a_key_matches_them(tmp_path: Path) -> None:
    """Without a key no rows are compared, so two lists of as many rows are the same only when their bytes are:
    a byte-identical copy is, a list with other counts is not (it was: both had 40 rows and the same columns)."""
    (group,) = counts_without_key(tmp_path).groups
    assert group.key == ()
    assert [(m.table.path, m.same_as) for m in group.members] == [
        ("tellingen.csv", None),
        ("tellingen_kopie.csv", 0),
        ("tellingen_maart.csv", None),
    ]


def with_zeros_lost(folder: Path, header: str) -> Scan:
    """The user trial's folder (`staff_trial`) with, in August, June's version saved again with the staff numbers
    as numbers (00005 became 5) under the name in `header`, scanned."""
    staff_trial(folder)
    numbers = [f"{int(row[:5])}{row[5:]}" for row in JUNE]
    write(folder, "personeel_aug.csv", numbers, datetime(2025, 8, 1, tzinfo=UTC), f"{header};naam;dienst;brutoloon\n")
    return scan(folder)


@pytest.mark.parametrize("header", ["Personeelsnummer", "Stamnummer"], ids=["same name", "renamed"])
def test_a_copy_that_lost_the_leading_zeros_of_the_key_is_named_and_not_recommended(
    tmp_path: Path, header: str
) -> None:
    """Found in a user trial: the newest copy, its staff numbers stored as numbers, was recommended, and (its
    column renamed) the scan matched the rows by naam. Its numbers are compared padded back to 00005, so it holds
    the same 200 keys as June's version, which keeps the zeros and is recommended."""
    result = with_zeros_lost(tmp_path, header)
    (group,) = result.groups
    assert group.key_names == ["personeelsnummer"] and group.keys_total == 201
    assert [(m.table.path, m.zeros) for m in group.members if m.zeros] == [
        ("personeel_aug.csv", [LostZeros(column=0, width=5, kept="00001", lost="1")])
    ]
    assert group.members[-1].keys == 200 and group.conflicts_total == 0
    assert group.members[group.recommended].table.path == "personeel_jun_v2.csv" and group.reasons[-1] == "zeros"
    out = io.StringIO()
    print_scan(Console(file=out, width=300), result)
    lines = out.getvalue().splitlines()
    assert "Leading zeros lost in personeel_aug.csv (personeelsnummer: 00001 -> 1)." in lines
    recommended = next(line for line in lines if line.startswith("Recommended: "))
    assert recommended.startswith("Recommended: personeel_jun_v2.csv: ")
    assert recommended.endswith("and keeps the leading zeros that personeel_aug.csv lost.")
    assert to_json(result)["groups"][0]["files"][-1]["zeros_lost"] == [
        {"column": "personeelsnummer", "kept": "00001", "lost": "1"}
    ]
    page = render_page(result, "nl")
    assert "Voorloopnullen verloren in personeel_aug.csv: personeelsnummer 00001 werd 1." in page
    assert "ze de voorloopnullen behoudt die in personeel_aug.csv verloren gingen.</p>" in page


def test_a_copy_with_a_column_more_is_said_to_hold_the_most_filled_cells_not_the_fewest_empty(tmp_path: Path) -> None:
    """Found in a user trial: the only copy with an extra column was recommended because it 'has the fewest empty
    cells', though the others had none; they lack the column."""
    moment = datetime(2025, 1, 10, tzinfo=UTC)
    write(tmp_path, "a.csv", FULL, moment)
    write(tmp_path, "b.csv", [row.replace("\n", ";D1\n") for row in FULL], moment, "code;naam;klasse;dossier\n")
    result = scan(tmp_path)
    (group,) = result.groups
    assert group.members[group.recommended].table.path == "b.csv" and group.reasons == ["completeness"]
    out = io.StringIO()
    print_scan(Console(file=out, width=200), result)
    assert "Recommended: b.csv: has the most filled cells (a column a copy lacks counts as empty)." in out.getvalue()
    assert "ze de meeste gevulde cellen heeft (een kolom die in een kopie ontbreekt, telt als leeg)" in render_page(
        result, "nl"
    )


def test_the_page_names_the_leading_zeros_a_copy_lost_though_it_is_recommended(tmp_path: Path) -> None:
    """The copy that keeps the zeros holds only 120 of the 200 staff numbers, all with the same values: an extract
    of the full copy, which lost the zeros and is still recommended. No copy was passed over for its zeros
    (Group.zeros_lost is empty), but the page says which copy lost them, as the terminal does."""
    write(tmp_path, "vol.csv", [f"{i};naam {i};{i % 7}\n" for i in range(1, 201)], datetime(2025, 1, 10, tzinfo=UTC))
    write(tmp_path, "deel.csv", PART, datetime(2025, 6, 10, tzinfo=UTC))
    result = scan(tmp_path)
    (group,) = result.groups
    assert [(m.table.path, m.extract_of) for m in group.members] == [("vol.csv", []), ("deel.csv", [0])]
    assert group.members[group.recommended].table.path == "vol.csv" and group.reasons == ["keys", "extracts"]
    assert group.zeros_lost == [] and group.members[0].zeros == [LostZeros(0, 5, "00001", "1")]
    assert "Leading zeros lost in vol.csv: code 00001 became 1." in render_page(result, "en")
    out = io.StringIO()
    print_scan(Console(file=out, width=200), result)
    assert "Leading zeros lost in vol.csv (code: 00001 -> 1)." in out.getvalue()
