"""The default report suite, rendered on a temporary copy of the project's data.

Shared by the tests that render the whole suite (reproducibility, the browser checks): the copy
holds the shipped evidence table and hand-made lookups and a SYNTHETIC ACLED export in
``raw/acled/`` (so the suite's ``event_trends`` report joins), and ``TALLIES_DATA_DIR`` points the
run at it, so nothing is written into the project.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from analysis import paths

ROOT = paths.project_root()


def data_copy(target: Path) -> Path:
    """The shipped evidence table and hand-made lookups, copied, and a SYNTHETIC ACLED export
    in ``raw/acled/`` (so the suite's ``event_trends`` report joins; its second run reads the
    parsed export from the cache the first run wrote)."""
    from analysis.testing import write_acled_csv

    for part in ("tallies", "hand"):
        shutil.copytree(ROOT / "data" / part, target / part)
    for source in ("acled", "ucdp"):
        (target / "raw" / source).mkdir(parents=True)
    write_acled_csv(target / "raw" / "acled" / "synthetic.csv", n_events=300, seed=2)
    return target


def run_suite(data: Path, output: Path) -> subprocess.CompletedProcess[str]:
    """``tallies report --suite reports/suite.yml`` reading ``data``, writing into ``output``."""
    env = dict(os.environ, TALLIES_DATA_DIR=str(data))
    env.pop("TALLIES_CACHE_DIR", None)  # the cache goes to the data folder's processed/
    return subprocess.run(
        [sys.executable, "-m", "analysis.cli", "report", "--suite",
         str(ROOT / "reports" / "suite.yml"), "--output-dir", str(output), "--jobs", "2"],
        cwd=output.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
