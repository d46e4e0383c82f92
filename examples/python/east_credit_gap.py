"""The paper figure of the documented case: the east's credit gap by quarter, monoculture vs
diverse, with 95% intervals of the mean.

    pip install ./python matplotlib     # once (see docs/python.md)
    python examples/python/east_credit_gap.py --paths 2000 --out east_credit_gap.png

Both scenarios run on the same seed, so their paths share the same shocks (common random
numbers), as `herdlab compare` runs them.
"""

from __future__ import annotations

import argparse

import matplotlib

matplotlib.use("Agg")  # files only; remove to show the figure in a window
import matplotlib.pyplot as plt
import pandas as pd

import herdlab

# Okabe-Ito, colour-blind safe.
COLOURS = {"monoculture": "#D55E00", "diverse": "#0072B2"}
SCENARIOS = {"monoculture": "regional-monoculture", "diverse": "regional-monoculture-diverse"}


def east_gap_by_quarter(result: herdlab.Result) -> pd.DataFrame:
    """Mean and 95% interval (normal, 1.96 standard errors) of the east's credit gap per quarter."""
    q = result.quarters
    east = q[(q["measure"] == "credit_gap") & (q["region"] == "east")]
    g = east.groupby("quarter")["value"].agg(["mean", "std", "count"])
    se = g["std"] / g["count"] ** 0.5
    return pd.DataFrame({"mean": g["mean"], "lo": g["mean"] - 1.96 * se, "hi": g["mean"] + 1.96 * se})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--paths", type=int, default=1000, help="Monte Carlo paths per scenario")
    ap.add_argument("--seed", type=int, default=None, help="seed [default: the scenario's]")
    ap.add_argument("--out", default="east_credit_gap.png", help="figure file (PNG, SVG, PDF)")
    ap.add_argument("--no-title", action="store_true", help="leave the title out (for papers)")
    args = ap.parse_args()

    fig, ax = plt.subplots(figsize=(7, 4), constrained_layout=True)
    currency = ""
    for label, name in SCENARIOS.items():
        r = herdlab.run(name, paths=args.paths, seed=args.seed)
        currency = r.scenario.get("currency", "")
        d = east_gap_by_quarter(r)
        ax.fill_between(d.index, d["lo"], d["hi"], color=COLOURS[label], alpha=0.25, linewidth=0)
        ax.plot(d.index, d["mean"], color=COLOURS[label], linewidth=2)
        # Direct label at the line's end instead of a legend over the data.
        ax.annotate(
            f"{label} (mean, 95% interval)",
            xy=(d.index[-1], d["mean"].iloc[-1]),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            color=COLOURS[label],
        )
    ax.set_xlabel("quarter")
    ax.set_ylabel(f"credit gap in the east, per quarter ({currency or 'money'})")
    ax.margins(x=0.02)
    ax.spines[["top", "right"]].set_visible(False)
    if not args.no_title:
        ax.set_title("East: credit gap by quarter, one shared AI model vs diverse models")
    fig.savefig(args.out, dpi=200, bbox_inches="tight")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
