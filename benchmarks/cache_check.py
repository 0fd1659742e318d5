"""What checking a cache entry against its checksum costs a cached read of the ingest benchmark.

Usage::

    .venv/bin/python benchmarks/cache_check.py                # 1,000,000 rows, 7 rounds
    .venv/bin/python benchmarks/cache_check.py --rows 200000 --repeat 11

The SYNTHETIC export of ``benchmarks/ingest.py`` (same generator, same file in the git-ignored
``benchmarks/.data/``, generated once) is read cold once, writing its parquet entry. Then, in one
warm process, each round reads it from the cache twice: as the package does (the entry's bytes
are read once, hashed and checked against ``<entry>.sha256``, then parsed from memory), and with
the check left out (the same bytes read and parsed, not hashed). The rounds alternate the two
orders. Wall and CPU time (this process, all threads) are reported as medians, with the cost of
the check alone (sha256 of the entry's bytes, already in memory) and the entry's size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from ingest import DATA, _generate  # noqa: E402  (the ingest benchmark's file and generator)


def _timed(read) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    read()
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)

    import hashlib

    import analysis
    from analysis.sources import cache

    DATA.mkdir(exist_ok=True)
    path = DATA / f"acled-{args.rows}.csv"
    if not path.is_file():
        _generate(args.rows, path, "synthetic")
    analysis.load_actor_table()
    with tempfile.TemporaryDirectory(prefix="cache-check-") as folder:
        analysis.read_acled(path, cache_dir=folder)  # cold: writes the entry and its checksum
        (entry,) = Path(folder).glob("acled-*.parquet")
        checked = cache._verified_bytes

        def unchecked(entry: Path) -> bytes:
            return entry.read_bytes()

        def read() -> None:
            analysis.read_acled(path, cache_dir=folder)

        times: dict[str, list[tuple[float, float]]] = {"checked": [], "unchecked": []}
        for round_ in range(args.repeat):
            order = ("checked", "unchecked") if round_ % 2 == 0 else ("unchecked", "checked")
            for mode in order:
                cache._verified_bytes = checked if mode == "checked" else unchecked
                times[mode].append(_timed(read))
        cache._verified_bytes = checked
        data = entry.read_bytes()
        hashing = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            hashlib.sha256(data).hexdigest()
            hashing.append(time.perf_counter() - start)

    print(f"{args.rows:,} rows; entry {len(data) / 2**20:.1f} MiB; load average {os.getloadavg()}")
    for mode, runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(
            f"cached read, {mode:9}: wall {wall:.3f} s, CPU {cpu:.3f} s "
            f"(walls {', '.join(f'{w:.2f}' for w, _ in runs)})"
        )
    print(f"sha256 of the entry alone: {statistics.median(hashing):.3f} s (median)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
