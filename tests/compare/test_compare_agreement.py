"""agreement(): Lin's CCC, Spearman, mean log ratio, Bland-Altman limits, against references."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.compare import agreement

# Bland & Altman (1986), The Lancet 327: 307-310, Table 1: peak expiratory flow rate (l/min),
# first reading with the Wright peak flow meter and with the mini Wright meter, 17 subjects.
WRIGHT = [494, 395, 516, 434, 476, 557, 413, 442, 650, 433, 417, 656, 267, 478, 178, 423, 427]
MINI = [512, 430, 520, 428, 500, 600, 364, 380, 658, 445, 432, 626, 260, 477, 259, 350, 451]


def _stat(table, name):
    return table.set_index("statistic").loc[name]


def test_bland_altman_1986_peak_flow_printed_numbers():
    """Bland & Altman (1986), section "Measuring agreement", the PEFR example.

    Printed: mean difference (Wright minus mini) -2.1 l/min, SD of the differences 38.8,
    limits of agreement (mean +/- 2 SD) -79.7 to 75.5, and the 95% interval of the lower
    limit -114.3 to -45.1 (from SE = sqrt(3 s^2 / n) = 16.3 and t(16) = 2.12). The paper works
    from rounded intermediate values (-2.1, 38.8, 2.12), hence the tolerance of 0.06 on the
    printed mean/SD and 0.2 on the limits.
    """
    table = agreement(MINI, WRIGHT, scale="raw", loa_z=2.0)  # other - reference = Wright - mini
    assert _stat(table, "mean_difference")["estimate"] == pytest.approx(-2.1, abs=0.06)
    assert _stat(table, "sd_difference")["estimate"] == pytest.approx(38.8, abs=0.06)
    assert _stat(table, "loa_low")["estimate"] == pytest.approx(-79.7, abs=0.2)
    assert _stat(table, "loa_high")["estimate"] == pytest.approx(75.5, abs=0.2)
    low = _stat(table, "loa_low")
    assert (low["ci_low"], low["ci_high"]) == pytest.approx((-114.3, -45.1), abs=0.2)
    assert (table["n"] == 17).all()


def test_bland_altman_limits_with_1_96_match_analyse_it_tutorial():
    """Analyse-it's Bland-Altman tutorial on the same data (mini minus Wright, 1.96 SD):

    "The mean difference estimate is 2.1 ... The limits of agreement estimate an interval of
    -73.9 to 78.1" (analyse-it.com/docs/tutorials/blandaltman/estimatingloa). Tolerance 0.05
    (one printed decimal).
    """
    table = agreement(WRIGHT, MINI, scale="raw")
    assert _stat(table, "mean_difference")["estimate"] == pytest.approx(2.1, abs=0.05)
    assert _stat(table, "loa_low")["estimate"] == pytest.approx(-73.9, abs=0.05)
    assert _stat(table, "loa_high")["estimate"] == pytest.approx(78.1, abs=0.05)


def test_mean_difference_interval_by_hand():
    """Hand-computed: d = (1, 2, 3, 6), mean 3, SD sqrt(14/3), n = 4.

    95% interval 3 +/- t(0.975, 3) * SD / 2 with t(0.975, 3) = 3.182446 (printed t tables:
    3.182). The t statistic is 3 / (SD / 2); its two-sided p-value comes from the closed form
    of Student's t with 3 df (Abramowitz & Stegun 1964, 26.7.3):
    F(t) = 1/2 + [t / (sqrt(3) (1 + t^2/3)) + arctan(t / sqrt(3))] / pi.
    Tolerances 1e-6 on the interval, 1e-10 on p.
    """
    reference = np.array([10.0, 10.0, 10.0, 10.0])
    other = reference + np.array([1.0, 2.0, 3.0, 6.0])
    row = _stat(agreement(reference, other, scale="raw"), "mean_difference")
    half = 3.182446 * np.sqrt(14 / 3) / 2
    assert row["estimate"] == pytest.approx(3.0)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((3 - half, 3 + half), abs=1e-6)
    t = 3 / (np.sqrt(14 / 3) / 2)
    cdf = 0.5 + (t / (np.sqrt(3) * (1 + t**2 / 3)) + np.arctan(t / np.sqrt(3))) / np.pi
    assert row["p_value"] == pytest.approx(2 * (1 - cdf), abs=1e-10)


def test_lin_ccc_hand_example():
    """Hand-computed (Lin 1989's definition, divisor n): x = 1..5, y = x + 1.

    s_x^2 = s_y^2 = s_xy = 2, (mean x - mean y)^2 = 1, so rho_c = 2*2 / (2 + 2 + 1) = 0.8
    exactly; Pearson r = 1 and C_b = 0.8. Tolerance 1e-12.
    """
    row = _stat(agreement([1, 2, 3, 4, 5], [2, 3, 4, 5, 6], scale="raw"), "lin_ccc")
    assert row["estimate"] == pytest.approx(0.8, abs=1e-12)


def test_lin_ccc_interval_on_peak_flow_data_by_the_formula():
    """Lin (1989, with the 2000 correction) on the PEFR data, each term computed here by hand.

    rho_c = r * C_b with C_b = 2 / (v + 1/v + u^2), v = s_x/s_y, u = (mean_y - mean_x) /
    sqrt(s_x s_y) (Lin 1989, eq. 3); the z-interval's variance is the one of Lin (2000).
    Written out independently of the implementation, tolerance 1e-10.
    """
    x, y = np.log(WRIGHT), np.log(MINI)
    n = x.size
    sx, sy = x.std(), y.std()
    r = np.corrcoef(x, y)[0, 1]
    v = sx / sy
    u = (y.mean() - x.mean()) / np.sqrt(sx * sy)
    rho_c = r * 2 / (v + 1 / v + u**2)
    var_z = (
        (1 - r**2) * rho_c**2 / ((1 - rho_c**2) * r**2)
        + 2 * rho_c**3 * (1 - rho_c) * u**2 / (r * (1 - rho_c**2) ** 2)
        - rho_c**4 * u**4 / (2 * r**2 * (1 - rho_c**2) ** 2)
    ) / (n - 2)
    z = np.arctanh(rho_c)
    expected = (np.tanh(z - 1.959964 * np.sqrt(var_z)), np.tanh(z + 1.959964 * np.sqrt(var_z)))
    row = _stat(agreement(WRIGHT, MINI, scale="log"), "lin_ccc")
    assert row["estimate"] == pytest.approx(rho_c, abs=1e-10)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(expected, abs=1e-6)
    assert row["ci_low"] < row["estimate"] < row["ci_high"] <= 1


def test_spearman_hand_example():
    """Hand-computed: x = 1..5, y = (2, 1, 4, 3, 5); rank differences (-1, 1, -1, 1, 0),
    sum d^2 = 4, rho = 1 - 6*4 / (5*24) = 0.8. Tolerance 1e-12."""
    row = _stat(agreement([1, 2, 3, 4, 5], [2, 1, 4, 3, 5], scale="raw"), "spearman_rho")
    assert row["estimate"] == pytest.approx(0.8, abs=1e-12)
    assert 0 < row["p_value"] < 1


def test_log_scale_is_the_raw_scale_of_the_logs_and_ratio_is_exp_mean():
    log_table = agreement(WRIGHT, MINI, scale="log").set_index("statistic")
    raw_table = agreement(np.log(WRIGHT), np.log(MINI), scale="raw").set_index("statistic")
    assert log_table.loc["mean_log_ratio", "estimate"] == pytest.approx(
        raw_table.loc["mean_difference", "estimate"], rel=1e-12
    )
    assert log_table.loc["ratio", "estimate"] == pytest.approx(
        np.exp(log_table.loc["mean_log_ratio", "estimate"]), rel=1e-12
    )
    assert log_table.loc["lin_ccc", "estimate"] == pytest.approx(
        raw_table.loc["lin_ccc", "estimate"], rel=1e-12
    )


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 5000), st.integers(1, 5000)), min_size=4, max_size=12).filter(
        lambda pairs: len({a for a, _ in pairs}) > 1 and len({b for _, b in pairs}) > 1
    ),
    st.randoms(use_true_random=False),
)
def test_pair_order_does_not_change_agreement(pairs, rng):
    """Property: the statistics do not depend on the order of the pairs."""
    shuffled = pairs[:]
    rng.shuffle(shuffled)
    a = agreement([p[0] for p in pairs], [p[1] for p in pairs])
    b = agreement([p[0] for p in shuffled], [p[1] for p in shuffled])
    np.testing.assert_allclose(
        a[["estimate", "ci_low", "ci_high", "p_value"]].to_numpy(dtype=float),
        b[["estimate", "ci_low", "ci_high", "p_value"]].to_numpy(dtype=float),
        rtol=1e-9,
        atol=1e-12,
    )


def test_options_and_inputs_are_checked():
    with pytest.raises(ValueError, match="scale must be one of"):
        agreement([1, 2], [1, 2], scale="sqrt")
    with pytest.raises(ValueError, match="positive"):
        agreement([0, 2, 3], [1, 2, 3])
    with pytest.raises(ValueError, match="paired"):
        agreement([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="conf_level"):
        agreement([1, 2, 3], [1, 2, 3], conf_level=95)


def test_too_few_pairs_give_nan_not_numbers():
    table = agreement([10, 20], [12, 18]).set_index("statistic")
    assert np.isnan(table.loc["lin_ccc", "ci_low"])
    assert np.isnan(table.loc["spearman_rho", "estimate"])
    assert np.isfinite(table.loc["mean_log_ratio", "estimate"])
