"""docs/calibration.md's measured fits: R^2, RMSE, band coverage and posterior widths of the ready
calibrations, read from `adoptsim calibrate` output folders (fit.csv, parameters.csv,
prediction.csv), never from its printout, so a folder made elsewhere (--from) serves as well."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from adoptsim.studies.calibration.objective import fit_statistics
from adoptsim.studies.calibration.outputs import statistics
from benchmarks.docs.blocks import Run, measured

MARKET_NAMES = ["china", "kenya", "uk"]
UNITS = {"kenya": "M users", "mpesa": "M users"}


def _round(x: object, places: int = 4) -> float | None:
    return None if x is None or pd.isna(x) else round(float(x), places)


def _widths(parameters: pd.DataFrame) -> list[float] | None:
    """The lowest and highest share of its prior a core (shared) parameter's interval spans."""
    shares = parameters.loc[~parameters["parameter"].str.contains(":"), "interval_share"].dropna()
    return None if shares.empty else [_round(shares.min(), 3), _round(shares.max(), 3)]


def numbers(folder: Path) -> dict:
    """Per market: R^2, RMSE and coverage on the fitted points, the held-out points' error and band;
    the left-out market's prediction; each parameter's posterior interval and its share of the prior;
    the segment ratios (observed against simulated)."""
    fit = pd.read_csv(folder / "fit.csv", keep_default_na=False, na_values={"observed": [""], "simulated": [""]})
    fit["heldout"] = fit["heldout"].astype(str) == "True"
    parameters = pd.read_csv(folder / "parameters.csv")
    markets = sorted({m for m in fit["market"] if m}) or [None]
    target = fit[fit["series"] == "target"]
    held = target[target["heldout"]]
    fitted_half = (target["upper"] - target["lower"])[~target["heldout"]] / 2
    result: dict = {
        "trials": len(pd.read_csv(folder / "trials.csv")),
        "particles": len(pd.read_csv(folder / "posterior.csv")) if (folder / "posterior.csv").exists() else None,
        "markets": {
            m or "": {k: _round(v) if isinstance(v, float) else v for k, v in statistics(fit, m).items()}
            for m in markets
        },
        "heldout": [
            {
                "date": r.date,
                "observed": _round(r.observed),
                "simulated": _round(r.simulated),
                "lower": _round(r.lower),
                "upper": _round(r.upper),
            }
            for r in held.itertuples()
        ],
        "parameters": {
            r.parameter: {"interval": [_round(r.lower, 6), _round(r.upper, 6)], "share": _round(r.interval_share, 3)}
            for r in parameters.itertuples()
        },
        "widths": _widths(parameters),
        "band": {  # half the band's width: at the first and last fitted points, and at its widest
            "ends": [_round(h) for h in (fitted_half.iloc[0], fitted_half.iloc[-1])],
            "widest": _round(fitted_half.max()),
        },
        "gaps": [
            {
                "market": r.market,
                "series": r.series,
                "date": r.date,
                "observed": _round(r.observed),
                "simulated": _round(r.simulated),
            }
            for r in fit[fit["series"].str.contains(" / ")].itertuples()
        ],
    }
    if (folder / "prediction.csv").exists():
        table = pd.read_csv(folder / "prediction.csv")
        r2, rmse = fit_statistics(table["observed"].to_numpy(), table["simulated"].to_numpy())
        inside = (table["observed"] >= table["lower"]) & (table["observed"] <= table["upper"])
        result["prediction"] = {
            "market": str(table["market"].iloc[0]),
            "r2": _round(r2),
            "rmse": _round(rmse),
            "covered": int(inside.sum()),
            "points": len(table),
        }
    return result


SINGLE = {
    name: Run(f"adoptsim calibrate calibrations/{name}.yaml --workers 2", numbers)
    for name in ("mpesa", "china_cnnic", "china_cnnic_holdout")
}
MARKETS = {
    "joint": Run("adoptsim calibrate calibrations/three_markets.yaml --workers 2", numbers),
    **{
        f"leave_out_{m}": Run(
            f"adoptsim calibrate calibrations/three_markets.yaml --workers 2 --leave-out {m}", numbers
        )
        for m in ("uk", "china", "kenya")
    },
}


def wall(run: dict) -> str:
    return "not timed" if run.get("wall_s") is None else f"{run['wall_s']:,.0f} s"


def fitted(stats: dict, unit: str = "") -> str:
    points = f" ({stats['points']} points)" if stats.get("points") else ""
    return f"R^2 {stats['r2']:.3f}, RMSE {stats['rmse']:.2g}{' ' + unit if unit else ''}{points}"


def widths(run: dict) -> str:
    """The posterior intervals' widths as shares of the priors: lowest to highest (core parameters)."""
    if not run.get("widths"):
        return "not recorded"
    low, high = run["widths"]
    return f"{low * 100:.0f}-{high * 100:.0f} % of the prior"


def render_single(runs: dict[str, dict]) -> str:
    """The single-market calibrations' table, China's forecast against its held-out points, M-Pesa's band."""
    lines = [
        "| calibration | wall time | fitted points | held-out points | posterior intervals |",
        "|---|---|---|---|---|",
    ]
    for name, run in runs.items():
        stats = run["markets"][""]
        heldout = "none"
        if stats.get("heldout"):
            heldout = (
                f"RMSE {stats['heldout_rmse']:.3g}; the band (mean width {stats['heldout_band_width']:.3g}) covers "
                f"{stats['heldout_covered']} of {stats['heldout']}"
            )
        lines.append(
            f"| `{name}.yaml` | {wall(run)} | {fitted(stats, UNITS.get(name, ''))} | {heldout} | {widths(run)} |"
        )
    lines += ["", "Written by:", *[f"- {name}: {measured(run)}" for name, run in runs.items()]]
    china = runs.get("china_cnnic_holdout")
    if china and china.get("heldout"):
        misses = "; ".join(
            f"{r['date'][:7]}: {r['lower']:.3f}-{r['upper']:.3f}"
            + ("" if r.get("simulated") is None else f", best fit {r['simulated']:.3f}")
            + f", against {r['observed']:.3f} observed"
            for r in china["heldout"]
        )
        above = [r["observed"] - r["upper"] for r in china["heldout"]]
        growth = china["parameters"].get("population.market_growth", {}).get("interval")
        pinned = (
            ""
            if not growth or growth[0] is None
            else f", and market growth's interval is {growth[0]:.2g}-{growth[1]:.2g} a week"
        )
        where = (
            f"{min(above) * 100:.1f} to {max(above) * 100:.1f} points above its upper edge"
            if min(above) > 0
            else "inside or below its upper edge"
        )
        lines += [
            "",
            f"China fitted to mid-2018 (`china_cnnic_holdout.yaml`), at the held-out points: {misses}{pinned}; "
            f"the held-out points lie {where}.",
        ]
    mpesa = runs.get("mpesa")
    if mpesa and mpesa.get("band"):
        ends, widest = mpesa["band"]["ends"], mpesa["band"]["widest"]
        lines += [
            "",
            f"M-Pesa's band is about +-{max(ends):.2g} M users at the ends of the data "
            f"and +-{widest:.2g} M at its widest.",
        ]
    return "\n".join(lines)


def rmse(value: float, market: str) -> str:
    """Shares to 3 decimals, counts (millions) to 2."""
    return f"{value:.2f}" if market in UNITS else f"{value:.3f}"


def cell(run: dict, market: str) -> str:
    told = run.get("prediction")
    if told and told["market"] == market:
        covers = f"band covers {told['covered']} of {told['points']}"
        return f"**predicted: {told['r2']:.3f} ({rmse(told['rmse'], market)}), {covers}**"
    stats = run["markets"][market]
    fitted_ = " fitted" if run.get("prediction") else ""
    return f"{stats['r2']:.3f} ({rmse(stats['rmse'], market)}){fitted_}"


def render_markets(runs: dict[str, dict]) -> str:
    """The three markets' joint and leave-one-out fits, the goals, the age gaps, the posterior."""
    lines = [
        "| run | wall time | "
        + " | ".join(f"{m} R^2 (RMSE{', ' + UNITS[m] if m in UNITS else ''})" for m in MARKET_NAMES)
        + " |",
        "|---|---|" + "---|" * len(MARKET_NAMES),
    ]
    for key, run in runs.items():
        label = key.replace("_", " ") + (" fit" if key == "joint" else "")
        lines.append(f"| {label} | {wall(run)} | " + " | ".join(cell(run, m) for m in MARKET_NAMES) + " |")
    joint = runs["joint"]["markets"]
    good = [f"{m} ({joint[m]['r2']:.2f})" for m in MARKET_NAMES if joint[m]["r2"] >= 0.9]
    predicted = {r["prediction"]["market"]: r["prediction"] for r in runs.values() if r.get("prediction")}
    transfer = [f"{m} ({p['r2']:.2f})" for m, p in predicted.items() if p["r2"] >= 0.8]
    short = [f"{m} {p['r2']:.2f}" for m, p in predicted.items() if p["r2"] < 0.8]
    every = all(p["covered"] == p["points"] for p in predicted.values())
    lines += [
        "",
        "Written by:",
        *[f"- {key.replace('_', ' ')}: {measured(run)}" for key, run in runs.items()],
        "",
        f"Goals: joint R^2 >= 0.9 for each market is reached for {', '.join(good) or 'none'}; leave-one-out R^2 "
        f">= 0.8 for {', '.join(transfer) or 'none'}"
        + (f" (not {', '.join(short)})" if short else "")
        + "; "
        + ("every predicted band covers every point." if every else "not every predicted band covers every point."),
    ]
    gaps = runs["joint"].get("gaps") or []
    if gaps:
        lines += [
            "",
            "Age gaps (joint fit, `fit.csv`'s ratio rows, weight 0; observed from `data/age_gaps.csv`):",
            "",
            "| market | date | ratio | observed | simulated (best fit) | factor |",
            "|---|---|---|---|---|---|",
        ]
        for g in gaps:
            factor = max(g["observed"], g["simulated"]) / min(g["observed"], g["simulated"])
            verdict = "within 1.5" if factor <= 1.5 else "outside 1.5"
            side = "" if (g["observed"] > 1) == (g["simulated"] > 1) else ", the wrong side of 1"
            lines.append(
                f"| {g['market']} | {g['date'][:4]} | `{g['series']}` | {g['observed']:.2f} | {g['simulated']:.2f} | "
                f"{factor:.2f} ({verdict}{side}) |"
            )
    lines += ["", f"Posterior (joint fit): every core parameter's interval spans {widths(runs['joint'])}."]
    return "\n".join(lines)
