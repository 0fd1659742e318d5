"""Before and after: rates compared across a date, interrupted time series, sensitivity.

The functions here compare the rate of events (deaths, violations, incidents) before and
after a date, by default the arrival of the Wagner Group in Mali (December 2021):

- :func:`rate_ratio`: two Poisson rates compared, with exact and asymptotic intervals;
- :func:`before_after`: mean rate before and after a date on a regular series;
- :func:`its_fit`: segmented (interrupted time series) regression on counts;
- :func:`arrival_sensitivity` and :func:`placebo_dates`: how much hinges on the date;
- :func:`share_change`: perpetrator shares before and after;
- :func:`simulate_bounds`: qualifier intervals ("at least", "about") carried into a rate ratio;
- :func:`robustness`: the lead estimate, the checks around it and a verdict in words
  (:func:`pretrend_projection`, :func:`change_point_scan`).

Every function is pure: it returns a tidy DataFrame (or a small result object with
``.summary_frame()``/``.to_frame()``), never prints and never plots. statsmodels is imported
inside the functions that need it, so ``import analysis`` stays light.
"""

from analysis.trends.bounds import BoundsSimulation, simulate_bounds
from analysis.trends.its import (
    ITSResult,
    arrival_sensitivity,
    its_fit,
    placebo_dates,
    placebo_grid,
)
from analysis.trends.rates import rate_ratio
from analysis.trends.robustness import (
    RULES,
    Robustness,
    change_point_scan,
    pretrend_projection,
    robustness,
)
from analysis.trends.series import before_after, share_change

__all__ = [
    "rate_ratio",
    "before_after",
    "its_fit",
    "ITSResult",
    "arrival_sensitivity",
    "placebo_dates",
    "placebo_grid",
    "share_change",
    "simulate_bounds",
    "BoundsSimulation",
    "robustness",
    "Robustness",
    "RULES",
    "pretrend_projection",
    "change_point_scan",
]
