"""The command line: every command works on a real workspace; user errors print one message and exit 1."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest


def peil(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "peil", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_init_creates_a_workspace_that_builds_at_once(tmp_path: Path) -> None:
    root = tmp_path / "gemeente"
    created = peil("init", str(root), "--municipality", "34022")
    assert created.returncode == 0, created.stderr
    assert 'municipality: "34022"' in (root / "peil.yaml").read_text(encoding="utf-8")
    built = peil("build", "-w", str(root))
    assert built.returncode == 0, built.stderr
    assert "2 sources read, 2 snapshots made" in built.stdout
    out = peil(
        "sql",
        "-w",
        str(root),
        "--format",
        "csv",
        "SELECT value FROM meta.indicator_values WHERE entity = '34022' AND period = '2015' AND indicator = 'inwoners'",
    )
    assert list(csv.reader(io.StringIO(out.stdout))) == [
        ["value"],
        ["75219.0"],
    ]  # Kortrijk on 1 January 2015, Statbel


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("keep me")
    result = peil("init", str(tmp_path))
    assert result.returncode == 1
    assert "exists and is not empty" in result.stderr
    assert (tmp_path / "x.txt").read_text() == "keep me"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "ws"
    assert peil("init", str(root)).returncode == 0
    assert peil("build", "-w", str(root)).returncode == 0
    return root


def test_sql_prints_json(built: Path) -> None:
    result = peil(
        "sql",
        "-w",
        str(built),
        "-f",
        "json",
        "SELECT CD_MUNTY_REFNIS AS code, \"2015\" AS n FROM bevolking WHERE CD_MUNTY_REFNIS = '36015'",
    )
    assert json.loads(result.stdout) == [{"code": "36015", "n": 60386}]


def test_sql_refuses_writes_with_one_message(built: Path) -> None:
    result = peil("sql", "-w", str(built), "DROP TABLE meta.snapshots")
    assert result.returncode == 1
    assert "only queries are allowed, not DROP" in result.stderr
    assert "Traceback" not in result.stderr


def test_history_and_sources_list_the_snapshots(built: Path) -> None:
    history = peil("history", "bevolking", "-w", str(built))
    assert history.returncode == 0
    assert "data/bevolking_2009_2015.csv" in history.stdout
    sources = peil("sources", "-w", str(built))
    assert "bevolking" in sources.stdout and "gemeenten" in sources.stdout and "public" in sources.stdout


def test_history_of_an_unknown_dataset_lists_the_known_ones(built: Path) -> None:
    result = peil("history", "bevolkng", "-w", str(built))
    assert result.returncode == 1
    assert "no snapshots of 'bevolkng'" in result.stderr and "bevolking, gemeenten" in result.stderr


def test_build_without_workspace_explains(tmp_path: Path) -> None:
    result = peil("build", "-w", str(tmp_path))
    assert result.returncode == 1
    assert "no peil.yaml" in result.stderr and "peil init" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        "init",
        "infer",
        "build",
        "sources",
        "history",
        "sql",
        "diff",
        "check",
        "quarantine",
        "suggest-checks",
        "scan",
        "adopt",
        "serve",
        "demo",
    ],
)
def test_every_command_has_help(command: str) -> None:
    result = peil(command, "--help")
    assert result.returncode == 0
    assert "Usage" in result.stdout
