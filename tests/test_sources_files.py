"""Resolving a source's path or glob to fingerprinted files."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_sources_support import declare, fields

from peil.errors import SourceError
from peil.sources import source_files


def test_a_glob_gives_sorted_hashed_files_relative_to_the_root(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "b.csv").write_bytes(b"a\n2\n")
    (tmp_path / "data" / "a.csv").write_bytes(b"a\n1\n")
    (tmp_path / "data" / "sub.csv").mkdir()  # a folder whose name matches is no file
    os.utime(tmp_path / "data" / "a.csv", (1_700_000_000, 1_700_000_000))
    found = source_files(declare("data/*.csv", fields("a")), tmp_path)
    assert [f.path for f in found] == ["data/a.csv", "data/b.csv"]
    assert found[0].sha256 == hashlib.sha256(b"a\n1\n").hexdigest()
    assert found[0].size == 4
    assert found[0].modified == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)


def test_an_absolute_path_stays_absolute(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_bytes(b"a\n1\n")
    found = source_files(declare(str(tmp_path / "x.csv"), fields("a")), Path("/nonexistent"))
    assert [f.path for f in found] == [(tmp_path / "x.csv").as_posix()]


def test_nothing_matching_names_the_pattern(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        source_files(declare("data/bevolking_*.csv", fields("a")), tmp_path)
    assert "no file matches 'data/bevolking_*.csv'" in str(caught.value)
    assert caught.value.hint is not None and "sources/test.yaml" in caught.value.hint


def test_an_empty_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "leeg.csv").write_bytes(b"")
    with pytest.raises(SourceError) as caught:
        source_files(declare("leeg.csv", fields("a")), tmp_path)
    assert caught.value.location is not None and caught.value.location.file == "leeg.csv"
    assert "empty (0 bytes)" in str(caught.value)


def test_a_file_whose_name_holds_brackets_is_named_with_the_escaped_path_to_write(tmp_path: Path) -> None:
    """Found in a user trial: `path: data/file [x].csv` is a pattern in which [x] stands for the letter x, so it
    matched nothing and the file of that name was not mentioned. It is not read in the pattern's place: the
    pattern matches data/file x.csv once such a file is there."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "file [x].csv").write_bytes(b"a\n1\n")
    with pytest.raises(SourceError) as caught:
        source_files(declare("data/file [x].csv", fields("a")), tmp_path)
    assert caught.value.location is not None and caught.value.location.file == "data/file [x].csv"
    assert caught.value.message == (
        "the path is read as a pattern, in which [...] stands for one character of those in the brackets: it "
        "matches no file, not the file of that name"
    )
    assert caught.value.hint == (
        "To read that file, escape its brackets in sources/test.yaml, path: 'data/file [[]x].csv' ([[] stands "
        "for [), or give the file a name without brackets."
    )
    (tmp_path / "data" / "file x.csv").write_bytes(b"a\n2\n")
    with pytest.raises(SourceError, match=r"it matches data/file x\.csv, not the file of that name"):
        source_files(declare("data/file [x].csv", fields("a")), tmp_path)
    found = source_files(declare("data/file [[]x].csv", fields("a")), tmp_path)
    assert [(f.path, f.sha256) for f in found] == [("data/file [x].csv", hashlib.sha256(b"a\n1\n").hexdigest())]
