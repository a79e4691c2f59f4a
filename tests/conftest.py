"""Shared fixtures: real workspaces in temporary folders, built with the real pipeline."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import httpx
import pytest

from peil.build import build
from peil.demo import copy_workspace

STARTER = Path(__file__).parents[1] / "src" / "peil" / "starter"


@pytest.fixture
def starter(tmp_path: Path) -> Path:
    """A fresh copy of the `peil init` starter workspace (real Statbel data), not yet built."""
    root = tmp_path / "ws"
    shutil.copytree(STARTER, root)
    config = root / "peil.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("{name}", "Test").replace("{municipality}", "36015"),
        encoding="utf-8",
    )
    return root


@pytest.fixture
def serve() -> Iterator[Callable[[Path], str]]:
    """Start `peil serve` for a built workspace on a free loopback port and give its URL; stopped after the test."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(root: Path) -> str:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "peil", "serve", "-w", str(root), "--port", str(port)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        url = f"http://127.0.0.1:{port}/"
        for _ in range(100):
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        return url

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the packaged demo workspace, built once per test process; tests only read it."""
    root = copy_workspace(tmp_path_factory.mktemp("demo") / "roeselare")
    build(root)
    return root


@pytest.fixture(scope="session")
def con(built: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the built demo's warehouse."""
    connection = duckdb.connect(str(built / ".peil" / "warehouse.duckdb"), read_only=True)
    yield connection
    connection.close()


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Debian's headless Chromium driven by Playwright; skipped where it is not installed, unless CI requires it."""
    if not CHROMIUM.exists():
        if os.environ.get("PEIL_REQUIRE_BROWSER"):
            pytest.fail("PEIL_REQUIRE_BROWSER is set but /usr/bin/chromium is missing (apt-get install chromium)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
