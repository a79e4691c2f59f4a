"""The stray-copy scanner on a folder of generated spreadsheets: files per second and peak memory.

Usage: .venv/bin/python benchmarks/scan.py [--files 1000] [--max-rows 50000] [--seed 1] [--cache DIR] [--tracemalloc]

The folder is written once by peil.demo.stray (`plan_folder`: mostly tables of 20 to 500 rows, some of
thousands, a few of up to --max-rows; each table an .xlsx original with up to five copies as .xlsx, CSV in two
dialects and .ods, carrying dropped, added and edited rows; one file in ten unrelated) and kept in --cache
(default: a folder in the system's temporary folder named after the arguments) for later runs.

Prints the scan's wall time, files and rows per second, the peak resident memory of this process (getrusage)
and of all the scan's processes together (this one, the fork server and the reading processes, sampled from
/proc every 0.1 s), with --tracemalloc also the peak of Python's own allocations in this process (which slows
the run), and how many groups of copies match the generator's truth exactly.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

from peil.demo import stray
from peil.scan import scan

TRUTH = "truth.json"  # not a file the scan reads


def folder(files: int, max_rows: int, seed: int, cache: Path | None) -> tuple[Path, dict[str, list[str]], int]:
    """The generated folder (written unless the cache has it), its true groups (name -> paths) and its rows."""
    path = cache or Path(tempfile.gettempdir()) / f"peil-scan-bench-{files}-{max_rows}-{seed}"
    if not (path / TRUTH).exists():
        started = time.perf_counter()
        truth = stray.write_folder(path, stray.plan_folder(files, seed, max_rows))
        rows = sum(len(c.table.rows) for c in truth.copies)
        (path / TRUTH).write_text(json.dumps({"groups": truth.groups(), "rows": rows}), encoding="utf-8")
        print(f"generated {len(truth.copies)} files in {path} in {time.perf_counter() - started:.0f} s")
    known = json.loads((path / TRUTH).read_text(encoding="utf-8"))
    return path, known["groups"], known["rows"]


def tree_rss(root: int) -> int:
    """The resident memory in bytes of process `root` and all its descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    resident: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(stat[1])
                resident[int(entry.name)] = int((entry / "statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, IndexError, ValueError):
                continue
    tree, grown = {root}, True
    while grown:
        found = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= found
        grown = bool(found)
    return sum(resident.get(pid, 0) for pid in tree)


class Sampler(threading.Thread):
    """Samples `tree_rss` of this process every 0.1 s until stopped; `peak` is the largest sample."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.1):
            self.peak = max(self.peak, tree_rss(os.getpid()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--max-rows", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()
    path, groups, rows = folder(args.files, args.max_rows, args.seed, args.cache)
    if args.tracemalloc:
        tracemalloc.start()
    sampler = Sampler()
    sampler.start()
    result = scan(path)
    sampler.done.set()
    python_peak = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None
    found = {frozenset(m.table.path for m in g.members) for g in result.groups}
    expected = {frozenset(paths) for paths in groups.values() if len(paths) > 1}
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"scanned {result.files} files ({rows:,} rows) in {result.seconds:.1f} s")
    print(f"{result.files / result.seconds:.1f} files/s, {rows / result.seconds:,.0f} rows/s")
    print(f"peak resident memory: {own:.0f} MiB (this process), {sampler.peak / 2**20:.0f} MiB (all its processes)")
    if python_peak is not None:
        print(f"peak Python allocations (tracemalloc): {python_peak / 2**20:.0f} MiB")
    print(
        f"groups: {len(found)} found, {len(expected)} true, {len(found & expected)} exactly right; "
        f"{len(result.skipped)} files skipped"
    )


if __name__ == "__main__":
    main()
