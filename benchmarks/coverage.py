"""Benchmark: how often the before/after intervals cover the truth on short, overdispersed series.

Every scenario is a seeded, synthetic 12-quarter series shaped like MINUSMA's quarterly counts
of civilians killed (about 180 a quarter, 91 days a quarter, 7 quarters before the date and 5
after, overdispersed as a negative binomial with NB2 alpha = 0.2, close to what the shipped
series gives: R's MASS::glm.nb estimates theta = 4.7, alpha = 0.21):

- ``flat``: no change (true ratio 1);
- ``step``: the rate is 1.6 times higher from the date on;
- ``trend_step``: a decline of 5% a quarter throughout, and the step of 1.6;
- ``ar1``: the step of 1.6, with AR(1) errors on the log scale (rho 0.6, marginal sd 0.4)
  and Poisson counts: overdispersed and autocorrelated;
- ``spike``: no lasting step; the first quarter after the date is three times the rate,
  decaying by a factor e each quarter;
- ``qualifiers``: the ``step`` series published as the evidence table would publish them
  (some quarters "at least" a round number, some "about" a round number), for
  :func:`analysis.simulate_bounds`' pooled interval.

What is covered:

- :func:`analysis.before_after`: the ratio of the true mean rates after and before (for a
  trend or a spike, that ratio includes them: it is what the estimator estimates);
- :func:`analysis.its_fit`: the true level change (1 or 1.6); in ``spike`` the model has no
  true level change (it is misspecified), so the share of intervals that exclude 1 is shown.

Usage::

    .venv/bin/python benchmarks/coverage.py               # 1,000 series per scenario
    .venv/bin/python benchmarks/coverage.py --reps 200    # a quick look
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import before_after, its_fit, simulate_bounds  # noqa: E402

N_BEFORE, N_AFTER = 7, 5
BASE = 180.0
STEP = 1.6
NB_ALPHA = 0.2
DATE = pd.Timestamp("2021-10-01")  # quarter 7 of a series starting 2020-01
STARTS = pd.date_range("2020-01-01", periods=N_BEFORE + N_AFTER, freq="QS")
DAYS = ((STARTS + pd.offsets.QuarterBegin(startingMonth=1)) - STARTS).days.to_numpy(float)
T = np.arange(N_BEFORE + N_AFTER, dtype=float)
AFTER = T >= N_BEFORE


def _nb(rng: np.random.Generator, mu: np.ndarray) -> np.ndarray:
    """NB2 counts with mean mu and variance mu + alpha mu^2 (a gamma-Poisson mixture)."""
    shape = 1 / NB_ALPHA
    return rng.poisson(rng.gamma(shape, mu / shape))


def _rate(mu_per_day: np.ndarray) -> float:
    """True ratio of the mean rates per day, after over before."""
    after = mu_per_day[AFTER].sum() / DAYS[AFTER].sum()
    before = mu_per_day[~AFTER].sum() / DAYS[~AFTER].sum()
    return after / before


def scenario(name: str) -> tuple[Callable[[np.random.Generator], np.ndarray], float, float]:
    """(draw counts, true mean-rate ratio, true ITS level change or NaN)."""
    per_day = BASE / 91.0
    if name == "flat":
        mu = per_day * DAYS
        return (lambda rng: _nb(rng, mu)), _rate(mu), 1.0
    if name in ("step", "qualifiers"):
        mu = per_day * DAYS * np.where(AFTER, STEP, 1.0)
        return (lambda rng: _nb(rng, mu)), _rate(mu), STEP
    if name == "trend_step":
        mu = per_day * DAYS * np.exp(-0.05 * (T - 6)) * np.where(AFTER, STEP, 1.0)
        return (lambda rng: _nb(rng, mu)), _rate(mu), STEP
    if name == "ar1":
        rho, sd = 0.6, 0.4
        mean_mu = per_day * DAYS * np.where(AFTER, STEP, 1.0)

        def draw(rng: np.random.Generator) -> np.ndarray:
            e = np.empty(len(T))
            e[0] = rng.normal(0, sd)
            for i in range(1, len(T)):
                e[i] = rho * e[i - 1] + rng.normal(0, sd * math.sqrt(1 - rho**2))
            return rng.poisson(mean_mu * np.exp(e - sd**2 / 2))

        return draw, _rate(mean_mu), STEP
    if name == "spike":
        bump = np.where(AFTER, 1 + 2 * np.exp(-(T - N_BEFORE)), 1.0)
        mu = per_day * DAYS * bump
        return (lambda rng: _nb(rng, mu)), _rate(mu), math.nan
    raise ValueError(name)


SCENARIOS = ["flat", "step", "trend_step", "ar1", "spike"]

# (label, function of the series frame returning (estimate, ci_low, ci_high))
BA_METHODS: dict[str, dict] = {
    "quasi-Poisson, t (default)": {},
    "quasi-Poisson, normal": {"_z": True},
    "negative binomial, expected information": {"family": "negbin"},
    "negative binomial, observed information": {"family": "negbin", "information": "observed"},
    "Poisson": {"family": "poisson"},
}
ITS_METHODS: dict[str, dict] = {
    "quasi-Poisson, t (default)": {},
    "quasi-Poisson, normal": {"_z": True},
    "negative binomial, expected information": {"family": "negbin"},
    "negative binomial, observed information": {"family": "negbin", "information": "observed"},
    "quasi-Poisson, HAC": {"cov_type": "HAC"},
}


def _as_z(est: float, low: float, high: float, reference: str) -> tuple[float, float]:
    """Turn a t interval into the normal one with the same standard error."""
    from scipy import stats

    df = float(reference[2:-1])
    scale = stats.norm.isf(0.025) / stats.t.isf(0.025, df)
    half = math.log(high / low) / 2 * scale
    centre = math.log(est)
    return math.exp(centre - half), math.exp(centre + half)


def _ba(frame: pd.DataFrame, options: dict) -> tuple[float, float, float]:
    opts = {k: v for k, v in options.items() if not k.startswith("_")}
    row = before_after(frame, date=DATE, exposure="exposure_days", **opts).iloc[0]
    low, high = row["ci_low"], row["ci_high"]
    if options.get("_z"):
        low, high = _as_z(row["estimate"], low, high, row["reference"])
    return row["estimate"], low, high


def _its(frame: pd.DataFrame, options: dict) -> tuple[float, float, float]:
    opts = {k: v for k, v in options.items() if not k.startswith("_")}
    fit = its_fit(frame, date=DATE, exposure="exposure_days", **opts)
    row = fit.summary_frame().loc["level_change"]
    low, high = row["ci_low"], row["ci_high"]
    if options.get("_z"):
        low, high = _as_z(row["estimate"], low, high, fit.reference)
    return row["estimate"], low, high


def _publish(rng: np.random.Generator, counts: np.ndarray) -> pd.DataFrame:
    """The counts as a body might publish them: 40% exact, 30% "about" the nearest ten,
    30% "at least" the ten below. Returned as evidence-table rows (synthetic)."""
    kind = rng.choice(["exact", "about", "at_least"], size=len(counts), p=[0.4, 0.3, 0.3])
    value = np.where(
        kind == "exact",
        counts,
        np.where(kind == "about", np.round(counts / 10) * 10, np.floor(counts / 10) * 10),
    )
    ends = STARTS + pd.offsets.QuarterEnd(0)
    return pd.DataFrame(
        {
            "period_start": STARTS,
            "period_end": ends,
            "qualifier": kind,
            "value": pd.array(value.astype(int), dtype="Int64"),
            "value_low": pd.array([None] * len(counts), dtype="Int64"),
            "value_high": pd.array([None] * len(counts), dtype="Int64"),
        }
    )


def run(reps: int, seed: int) -> pd.DataFrame:
    rows = []
    for name in SCENARIOS + ["qualifiers"]:
        draw, true_ratio, true_level = scenario(name)
        rng = np.random.default_rng([seed, SCENARIOS.index(name) if name in SCENARIOS else 99])
        hits: dict[tuple[str, str], list[float]] = {}
        started = time.perf_counter()
        for _ in range(reps):
            counts = draw(rng)
            frame = pd.DataFrame(
                {"period_start": STARTS, "count": counts, "exposure_days": DAYS.astype(int)}
            )
            if name == "qualifiers":
                published = _publish(rng, counts)
                s = simulate_bounds(published, date=DATE, n=200, seed=0).summary_frame()
                s = s.iloc[0]
                key = ("simulate_bounds", "pooled (Rubin), quasi-Poisson")
                hits.setdefault(key, []).append(s["ci_low"] <= true_ratio <= s["ci_high"])
                key = ("simulate_bounds", "qualifier range only")
                hits.setdefault(key, []).append(
                    s["qualifier_low"] <= true_ratio <= s["qualifier_high"]
                )
                continue
            for label, options in BA_METHODS.items():
                _, low, high = _ba(frame, options)
                hits.setdefault(("before_after", label), []).append(low <= true_ratio <= high)
            for label, options in ITS_METHODS.items():
                _, low, high = _its(frame, options)
                target = true_level if not math.isnan(true_level) else 1.0
                covered = low <= target <= high
                hits.setdefault(("its_fit", label), []).append(covered)
        seconds = time.perf_counter() - started
        for (function, label), values in hits.items():
            share = float(np.mean(values))
            what = "covers" if not (name == "spike" and function == "its_fit") else "covers 1"
            rows.append(
                {
                    "scenario": name,
                    "function": function,
                    "method": label,
                    "coverage": share,
                    "mc_se": math.sqrt(share * (1 - share) / reps),
                    "measure": what,
                    "reps": reps,
                    "seconds": seconds,
                }
            )
        print(f"{name}: {seconds:.0f} s", file=sys.stderr, flush=True)
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20211201)
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    warnings.simplefilter("ignore")
    table = run(args.reps, args.seed)
    wide = table.pivot_table(
        index=["function", "method"], columns="scenario", values="coverage", sort=False
    )
    wide = wide[[c for c in SCENARIOS + ["qualifiers"] if c in wide.columns]]
    header = ["function", "method", *wide.columns]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for (function, method), values in wide.iterrows():
        cells = [f"{100 * v:.1f}" for v in values]
        print(f"| `{function}` | {method} | " + " | ".join(cells) + " |")
    print(
        f"\n{args.reps} series per scenario; Monte Carlo standard error about "
        f"{100 * math.sqrt(0.95 * 0.05 / args.reps):.1f} points at 95%."
    )


if __name__ == "__main__":
    main()
