"""The package works when installed from a wheel, away from the checkout.

A wheel is built from the checkout and installed, without its dependencies, into a fresh virtual
environment that borrows the test environment's installed dependencies (a ``.pth`` line, which
does not bring the checkout's editable install with it). The README's script examples then run
from a folder outside the checkout, with the user's folder (``TALLIES_HOME``) in a temporary
folder: the shipped evidence table, the notebooks and the default suite come from the package.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

from analysis import paths
from analysis.testing import write_acled_csv

ROOT = paths.project_root()


def test_every_package_of_the_checkout_is_listed_for_the_wheel() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    present = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "analysis").rglob("__init__.py")
    }
    assert present <= listed, f"packages missing from pyproject.toml: {sorted(present - listed)}"


def _readme_examples() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = []
    for heading in ("## From a script", "## Use it in your own analysis"):
        section = readme[readme.index(heading) :]
        blocks.append(re.search(r"```python\n(.*?)```", section, re.S).group(1))
    return blocks


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``python`` of a fresh environment with the wheel installed."""
    folder = tmp_path_factory.mktemp("installed")
    wheels = folder / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    env_dir = folder / "env"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # the dependencies, borrowed; .pth files in that folder (the editable install) are not read
    Path(site, "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    (wheel,) = wheels.glob("analysis-*.whl")
    subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
        check=True,
        capture_output=True,
    )
    return python


def _run(python: Path, args: list[str], cwd: Path, home: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALLIES_")}
    env |= {"TALLIES_HOME": str(home), "MPLBACKEND": "Agg", "PYTHONSAFEPATH": "1"}
    # the borrowed dependencies' data files (nbconvert's templates) stay in their environment
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    return subprocess.run(
        [str(python), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def test_the_installed_package_reads_its_own_data(installed: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    probe = (
        "import analysis, analysis.paths as p; from analysis import load_tallies;"
        "print(analysis.__file__); print(p.checkout_root()); print(p.tallies_dir());"
        "print(p.raw_dir()); print(len(load_tallies()))"
    )
    done = _run(installed, ["-c", probe], tmp_path, home)
    assert done.returncode == 0, done.stderr
    module, checkout, tallies, raw, rows = done.stdout.split("\n")[:5]
    assert not module.startswith(str(ROOT)), "the checkout was imported, not the wheel"
    assert checkout == "None"
    assert tallies.endswith("analysis/_shipped/tallies")
    assert raw == str(home / "raw")
    from analysis import load_tallies

    assert int(rows) == len(load_tallies())


def test_the_readme_script_examples_run_outside_the_checkout(
    installed: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    # the second example reads "path/to/your/acled-export.csv": a SYNTHETIC export stands in
    write_acled_csv(tmp_path / "path" / "to" / "your" / "acled-export.csv", n_events=400)
    for number, code in enumerate(_readme_examples(), start=1):
        script = tmp_path / f"example_{number}.py"
        script.write_text(code, encoding="utf-8")
        done = _run(installed, [script.name], tmp_path, home)
        assert done.returncode == 0, f"README example {number} failed:\n{done.stderr}"
        assert "The rate after 1 December 2021" in done.stdout
    assert (tmp_path / "civilian-fatalities.png").stat().st_size > 10_000
    # the parsed export was cached in the user's folder, nowhere near the checkout
    assert any((home / "processed").rglob("*.parquet"))


def test_the_installed_command_renders_a_report(installed: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    tallies = installed.parent / "tallies"
    done = _run(
        installed,
        [
            str(tallies),
            "report",
            "--notebook",
            "incident",
            "-p",
            "incident_id=moura-2022-03",
            "--jobs",
            "1",
        ],
        tmp_path,
        home,
    )
    assert done.returncode == 0, done.stderr
    (page,) = (home / "reports").glob("incident-*moura-2022-03/*.html")
    assert (home / "reports" / "index.html").is_file()
    assert "Moura" in page.read_text(encoding="utf-8")
