"""The built site in a real browser (Debian's Chromium), served by `peil serve` on loopback."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from peil.build import build


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(starter: Path) -> Iterator[str]:
    build(starter)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "peil", "serve", "-w", str(starter), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(100):
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_report_renders_its_charts_without_network(served: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    outside: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(served) else outside.append(request.url))
    page.goto(served)
    page.wait_for_selector(".vega-embed svg, .vega-embed canvas", timeout=15000)
    assert "60.386" in page.inner_text("body")  # Roeselare's inhabitants on 1 January 2015, Dutch format
    page.screenshot(path=str(tmp_path / "index.png"), full_page=True)
    assert outside == []
    page.close()
