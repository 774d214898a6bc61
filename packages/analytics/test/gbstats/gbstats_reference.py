"""Reads cases (JSON on stdin), answers with gbstats' numbers (JSON on stdout).

A case: {"kind": "bayesian" | "sequential", "a": stat, "b": stat, "differenceType": "relative" |
"absolute", ...}; a stat is {"n", "sum"} (a proportion) or {"n", "sum", "sumSquares"} (a mean).
"""
import json
import sys

from gbstats.bayesian.tests import EffectBayesianABTest, EffectBayesianConfig, GaussianPrior
from gbstats.frequentist.tests import SequentialConfig, SequentialTwoSidedTTest
from gbstats.models.statistics import ProportionStatistic, SampleMeanStatistic


def statistic(s):
    if "sumSquares" in s:
        return SampleMeanStatistic(n=s["n"], sum=s["sum"], sum_squares=s["sumSquares"])
    return ProportionStatistic(n=s["n"], sum=s["sum"])


def run(case):
    a, b = statistic(case["a"]), statistic(case["b"])
    if case["kind"] == "bayesian":
        prior = case.get("prior")
        config = EffectBayesianConfig(
            difference_type=case["differenceType"],
            inverse=case.get("inverse", False),
            alpha=case.get("alpha", 0.05),
            prior_effect=GaussianPrior(mean=prior["mean"], variance=prior["variance"], proper=True)
            if prior
            else GaussianPrior(),
        )
        r = EffectBayesianABTest(a, b, config).compute_result()
        return {"chanceToWin": float(r.chance_to_win), "risk": [float(x) for x in r.risk], "expected": float(r.expected), "ci": [float(x) for x in r.ci], "error": r.error_message}
    config = SequentialConfig(
        difference_type=case["differenceType"],
        alpha=case.get("alpha", 0.05),
        sequential_tuning_parameter=case.get("tuning", 5000),
    )
    r = SequentialTwoSidedTTest(a, b, config).compute_result()
    return {"expected": float(r.expected), "ci": [float(x) for x in r.ci], "pValue": float(r.p_value), "error": r.error_message}


json.dump([run(c) for c in json.load(sys.stdin)], sys.stdout)
