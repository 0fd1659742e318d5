"""Matching benchmark: quality and speed of match_events on SYNTHETIC pairs with known truth.

Usage::

    .venv/bin/python benchmarks/matching.py                       # quality + Mali-sized speed
    .venv/bin/python benchmarks/matching.py --scale 1000000 200000 --regions 50

Quality: :func:`analysis.link.synthetic.synthetic_event_pairs` with the default perturbation
mix (20,000 left x 5,000 right events, seed 1), matched with the Fellegi-Sunter model and with
MELTT's window rule; precision and recall at the default threshold and over a grid of
thresholds. Targets at the default threshold: precision >= 0.95, recall >= 0.90.

Speed: the wall time of ``match_events`` on the Mali-sized pair (target < 30 s), and, with
``--scale``, on a larger pair spread over ``--regions`` copies of the Mali layout (so that the
density of events per region stays Mali-like, as in a global export). Each size runs in a fresh
Python process (imports excluded from the time).

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

_CHILD = """
import json, sys, time
from analysis.link.synthetic import synthetic_event_pairs
from analysis.link.match import match_events, match_quality
n_left, n_right, regions, method, seed = {args}
t0 = time.perf_counter()
left, right, truth = synthetic_event_pairs(n_left, n_right, seed=seed, regions=regions)
t1 = time.perf_counter()
pairs = match_events(left, right, method=method)
t2 = time.perf_counter()
quality = match_quality(pairs, truth).iloc[0]
with open("/proc/self/status") as handle:
    peak = next(int(l.split()[1]) for l in handle if l.startswith("VmHWM:")) / 1024
print(json.dumps({{
    "n_left": n_left, "n_right": n_right, "regions": regions, "method": method,
    "generate_s": t1 - t0, "match_s": t2 - t1, "candidates": len(pairs),
    "matched": int(pairs["matched"].sum()), "precision": float(quality["precision"]),
    "recall": float(quality["recall"]), "peak_mb": peak, "training": pairs.attrs["training"],
}}))
"""


def _run(n_left: int, n_right: int, regions: int, method: str, seed: int) -> dict:
    code = _CHILD.format(args=repr((n_left, n_right, regions, method, seed)))
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=os.getcwd()
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def quality(n_left: int, n_right: int, seed: int) -> None:
    from analysis.link.match import match_events, match_quality
    from analysis.link.synthetic import synthetic_event_pairs

    left, right, truth = synthetic_event_pairs(n_left, n_right, seed=seed)
    pairs = match_events(left, right)
    window = match_events(left, right, method="window")
    grid = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99]
    curve = match_quality(pairs, truth, thresholds=grid)
    print(f"quality on {n_left:,} x {n_right:,} (seed {seed}), {len(truth):,} true pairs")
    print(f"  candidates in the window: {len(pairs):,}; training: {pairs.attrs['training']}")
    for name, table in (("fellegi_sunter (0.5)", pairs), ("window (MELTT)", window)):
        row = match_quality(table, truth).iloc[0]
        print(
            f"  {name:<22} matched {int(row['matched']):>6,}  precision {row['precision']:.4f}  "
            f"recall {row['recall']:.4f}  f1 {row['f1']:.4f}"
        )
    print("  curve over thresholds (fellegi_sunter):")
    for row in curve.itertuples(index=False):
        print(
            f"    {row.threshold:>5.2f}  matched {row.matched:>6,}  precision "
            f"{row.precision:.4f}  recall {row.recall:.4f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=int, nargs=2, metavar=("N_LEFT", "N_RIGHT"))
    parser.add_argument("--regions", type=int, default=1)
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()
    print(f"{platform.platform()}, {os.cpu_count()} cores, load {os.getloadavg()}")
    if not args.skip_quality:
        quality(20_000, 5_000, args.seed)
    sizes = [(20_000, 5_000, 1)]
    if args.scale:
        sizes.append((args.scale[0], args.scale[1], args.regions))
    for n_left, n_right, regions in sizes:
        for method in ("fellegi_sunter", "window"):
            t = time.perf_counter()
            result = _run(n_left, n_right, regions, method, args.seed)
            print(
                f"speed {n_left:,} x {n_right:,} ({regions} region(s)) {method}: match "
                f"{result['match_s']:.1f} s (generate {result['generate_s']:.1f} s), "
                f"{result['candidates']:,} candidates, precision {result['precision']:.4f}, "
                f"recall {result['recall']:.4f}, peak {result['peak_mb']:.0f} MB, "
                f"process {time.perf_counter() - t:.1f} s, training {result['training']}"
            )


if __name__ == "__main__":
    main()
