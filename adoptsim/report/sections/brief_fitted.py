"""The brief of a calibration (fit, posterior, forecast) and of an optimisation (winner, budget
split, equivalent set, against playbooks), read by column name from their files."""

from __future__ import annotations

import numpy as np
import pandas as pd

from adoptsim.figures.formatting import difference, kpi_label, money, parameter_label, percent, with_interval
from adoptsim.report.blocks import Bullets, Table, Text
from adoptsim.report.ranking import finite, smaller_is_better
from adoptsim.report.results import Results
from adoptsim.report.sections.brief_studies import NOISE, _has, phrase


def calibrate_brief(results: Results) -> list:
    fit, parameters, forecast = (results.table(n) for n in ("fit.csv", "parameters.csv", "forecast.csv"))
    blocks: list = [
        Text(
            ["Question: which behaviour coefficients reproduce the observed adoption curve, and what do they forecast?"]
        )
    ]
    answer = []
    if _has(parameters, "parameter", "best"):
        shown = []
        for r in parameters.to_dict("records"):
            if not finite(r["best"]):  # a left-out market's own parameter: fitted nowhere
                continue
            text = f"{parameter_label(str(r['parameter']))} = {r['best']:.3g}"
            if finite(r.get("lower")) and finite(r.get("upper")):
                text += f" (posterior {r['lower']:.3g} to {r['upper']:.3g})"
            shown.append(text)
        answer.append("best fit " + "; ".join(shown))
    if _has(forecast, "mean"):
        # a joint calibration forecasts each market: each is named, not only the last file row's
        markets = forecast.groupby("market", sort=False, dropna=False) if "market" in forecast else [("", forecast)]
        for market, part in markets:
            last = part.iloc[-1]
            when = str(last.get("time", last.get("step", "")))[:10]
            where = "" if pd.isna(market) or not str(market) else f" in {market}"
            unit = last.get("unit")
            text = f"forecast{where} at {when}: {in_unit(last['mean'], unit)}"
            if finite(last.get("lower")) and finite(last.get("upper")):
                text += f" (band {in_unit(last['lower'], unit)} to {in_unit(last['upper'], unit)})"
            answer.append(text)
    if answer:
        blocks.append(Text(["Answer: " + "; ".join(answer) + "."]))
    sure = []
    if _has(fit, "observed", "simulated"):
        # a single market's rows have no market name (NaN): grouped as "", not dropped
        markets = fit.groupby("market", sort=False, dropna=False) if "market" in fit else [("", fit)]
        for market, part in markets:
            sure.append(misfit(part, "" if pd.isna(market) else str(market)))
    if _has(parameters, "interval"):
        sure.append(f"Parameter intervals: {parameters['interval'].iloc[0]}.")
    if _has(parameters, "parameter", "warning"):
        sure += learned(parameters)
    sure.append(
        "A good fit to one curve does not make the forecast's mechanism right: other coefficients may fit as well; "
        "the forecast's band covers the fitted coefficients' spread and simulation noise, not a change of market."
    )
    blocks.append(Bullets(sure))
    return blocks


def misfit(part: pd.DataFrame, market: str) -> str:
    """How far the best fit misses a market's observed points, its R^2 on the fitted ones, and which
    observed points its 95 % band leaves out (a band that misses the data is a warning)."""
    held = part["heldout"].astype(str).str.lower().eq("true") if "heldout" in part else pd.Series(False, part.index)
    fitted = part[~held]
    error = (part["simulated"] - part["observed"]).abs()
    share = 100 * error.mean() / (part["observed"].abs().mean() or 1.0)
    where = f" in {market}" if market else ""
    text = (
        f"How sure: the fit misses the observed points{where} by {share:.1f} % of their mean value, on average "
        f"({len(part)} points"
    )
    text += f", {int(held.sum())} held out)" if held.any() else ")"
    if len(fitted) > 1:
        from adoptsim.studies.calibration.objective import fit_statistics

        r2, _ = fit_statistics(fitted["observed"].to_numpy(float), fitted["simulated"].to_numpy(float))
        text += f"; R² {r2:.3f} on the fitted" if np.isfinite(r2) else ""
    if _has(part, "lower", "upper"):
        outside = part[(part["observed"] < part["lower"]) | (part["observed"] > part["upper"])]
        text += f"; {len(part) - len(outside)} of {len(part)} observed points inside the 95 % band"
        if len(outside):
            date = "date" if "date" in outside else "step"
            missed = [
                f"{r[date]} (observed {in_unit(r['observed'], r.get('unit'))}, "
                f"band {in_unit(r['lower'], r.get('unit'))} to {in_unit(r['upper'], r.get('unit'))})"
                for r in outside.head(4).to_dict("records")
            ]
            text += ": outside it " + ", ".join(missed) + (f" and {len(outside) - 4} more" if len(outside) > 4 else "")
    return text + "."


def in_unit(value: float, unit: object) -> str:
    """A value of fit.csv or forecast.csv in its `unit` column's unit, as the rest of the report
    writes it: a share in percent, a gap between shares in percentage points, a count with its
    data's column; a plain number for a ratio, or in a folder written before the column."""
    if unit == "share":
        return percent(value)
    if unit == "share difference":
        return f"{100 * value:+.1f} percentage points"
    text = f"{value:,.4g}"
    return f"{text} {unit.replace('_', ' ')}" if isinstance(unit, str) and unit and unit != "ratio" else text


def learned(parameters: pd.DataFrame) -> list[str]:
    """The posterior's own warnings (parameters.csv), gathered: what the data taught little about,
    too few effective particles for its intervals, a best point outside its interval."""
    warned = parameters[parameters["warning"].fillna("").astype(str) != ""]
    if warned.empty:
        return []
    by_kind: dict[str, list[str]] = {}
    for r in warned.to_dict("records"):
        for warning in str(r["warning"]).split("; "):
            kind = warning.split(": ", 1)[-1] if "taught little" in warning else warning
            name = parameter_label(str(r["parameter"]))
            if "taught little" in warning and finite(r.get("interval_share")):
                name += f" ({100 * float(r['interval_share']):.0f} % of its prior range)"
            by_kind.setdefault(kind, []).append(name)
    lines = []
    for kind, names in by_kind.items():
        if "taught little" in kind:
            lines.append(
                f"Warning: the data taught little about {', '.join(names)}: their intervals span most of their priors."
            )
        elif "effective particles" in kind:
            lines.append(f"Warning: the posterior rests on {kind}; raise method.posterior.population for more.")
        else:
            lines.append(f"Warning: {', '.join(names)}: {kind}.")
    return lines


def optimize_brief(results: Results) -> list:
    candidates, differences = results.table("candidates.csv"), results.table("differences.csv")
    blocks: list = [Text(["Question: which mix, timing and targeting of the interventions does best for the budget?"])]
    if not _has(candidates, "candidate"):
        return blocks
    columns = _kpi_columns(candidates)
    objective = next((k for k in columns if k != "total_spend"), None)
    if objective is None:
        return blocks
    goal = (
        f"reaches {kpi_label(objective).removeprefix('weeks to ')} soonest"
        if objective.startswith("steps_to_")
        else f"gives the {'smallest' if smaller_is_better(objective) else 'largest'} {kpi_label(objective)}"
    )
    blocks[0] = Text([f"Question: which mix, timing and targeting of the interventions {goal} for the budget?"])
    winner = candidates.iloc[0].to_dict()
    mean, low, high = (winner.get(c) for c in columns[objective])
    value = with_interval(objective, mean, low, high, results.currency)
    text = f"Answer: choose {winner['candidate']} ({phrase(objective, value)}"
    if "total_spend" in columns:
        text += f", spending {money(winner[columns['total_spend'][0]], results.currency)}"
    text += "); its settings are in best.yaml." + allocation(results, str(winner["candidate"]))
    if finite(winner.get("spent_share")) and float(winner["spent_share"]) < 0.9:
        text += (
            f" It spent {100 * float(winner['spent_share']):.0f} % of the budget: each lever's share is what it was "
            "allowed, not what it used (a lever pays nothing once no one is left to reach or its window ends; "
            "allocation.png shows its spend over time)."
        )
    blocks.append(Text([text]))
    if _has(differences, "against", "kpi", "difference", "lower", "upper"):
        rows = [
            [str(r["against"]), *_against(objective, r, results.currency)]
            for r in differences[differences["kpi"] == objective].to_dict("records")
        ]
        blocks.append(
            Table(
                ["against", f"winner minus other: {kpi_label(objective)}", "verdict"],
                rows,
                "Paired over fresh replications (not the search's own seeds), 95 % t interval.",
            )
        )
        equivalent = [row[0] for row in rows if row[2].startswith("equivalent")]
        worse = [row[0] for row in rows if "winner is worse" in row[2]]
        said = (
            "Equivalent to the winner (chance alone could order them): " + ", ".join(equivalent) + "."
            if equivalent
            else "No other candidate or playbook is equivalent to the winner."
        )
        if worse:  # on fresh seeds a reference did better than the search's winner: say so, first
            said = f"On fresh seeds the winner is worse than {', '.join(worse)}. " + said
        elif not equivalent:
            said += " The winner is better than each."
        blocks.append(Text([said]))
    paying = pays(results.table("worth_it.csv"), results.currency)
    blocks.append(Bullets([*paying, "How sure: finalists and playbooks re-run on fresh seeds. " + NOISE]))
    return blocks


def pays(table: pd.DataFrame | None, currency: str) -> list[str]:
    """What the winner's money buys against spending nothing on the levers, and whether it pays
    for itself (its extra net value's 95 % interval above 0, below, or across)."""
    if not _has(table, "extra_adopters", "extra_net_value", "extra_net_value_lower", "extra_net_value_upper"):
        return []
    r = table.iloc[0].to_dict()
    low, high = float(r["extra_net_value_lower"]), float(r["extra_net_value_upper"])
    verdict = "It pays for itself" if low > 0 else "It does not pay for itself" if high < 0 else "It may not pay"
    if not finite(r.get("cost_per_extra_adopter")):
        cost = str(r.get("cost_verdict") or "undefined")
    elif r.get("cost_verdict") == "unbounded":
        cost = f"{money(r['cost_per_extra_adopter'], currency)} each (no upper bound)"
    else:
        ratio = (r["cost_per_extra_adopter"], r.get("cost_lower"), r.get("cost_upper"))
        cost = with_interval("cost_per_incremental_adopter", *ratio, currency) + " each"
    extra = (r["extra_adopters"], r.get("extra_adopters_lower"), r.get("extra_adopters_upper"))
    net = with_interval("net_value", r["extra_net_value"], low, high, currency)
    return [
        f"{verdict}: against spending nothing on the levers it gains {with_interval('incremental_adopters', *extra)} "
        f"adopters at {cost}, and {net} of net value (value after the run included; "
        f"{int(r['replications'])} paired replications)."
    ]


def allocation(results: Results, candidate: str) -> str:
    """' Budget split: classes 25 %, refer 25 %, ...' for a winner named 'trial <n>', from trials.csv."""
    trials = results.table("trials.csv")
    number = candidate.removeprefix("trial ").strip()
    if not _has(trials, "trial") or not number.isdigit():
        return ""
    row = trials[trials["trial"] == int(number)]
    shares = [c for c in trials.columns if c.startswith("share_")]
    if row.empty or not shares:
        return ""
    split = ", ".join(f"{c.removeprefix('share_')} {100 * float(row.iloc[0][c]):.0f} %" for c in shares)
    return f" Budget split: {split}."


def _kpi_columns(table: pd.DataFrame) -> dict[str, tuple[str, str | None, str | None]]:
    """KPI -> (mean, low, high) columns, in table order: `<kpi>_mean`/`_ci_low`/`_ci_high` or
    `<kpi>`/`_lower`/`_upper` (optimize's candidates.csv has used both)."""
    found: dict[str, tuple[str, str | None, str | None]] = {}
    names = set(table.columns)
    for column in table.columns:
        if column in ("candidate", "scenario") or not pd.api.types.is_numeric_dtype(table[column]):
            continue
        if column.endswith("_mean"):
            kpi = column[: -len("_mean")]
            found[kpi] = (
                column,
                f"{kpi}_ci_low" if f"{kpi}_ci_low" in names else None,
                f"{kpi}_ci_high" if f"{kpi}_ci_high" in names else None,
            )
        elif f"{column}_lower" in names and f"{column}_upper" in names:
            found[column] = (column, f"{column}_lower", f"{column}_upper")
    return found


def _against(objective: str, row: dict, currency: str) -> tuple[str, str]:
    """The paired difference with another candidate and its verdict; where one side never reached a
    target in some replications, how often each did (never a number for 'never reached')."""
    n, mine, theirs = (row.get(k) for k in ("replications", "winner_reached", "other_reached"))
    if objective.startswith("steps_to_") and finite(n) and finite(mine) and finite(theirs) and min(mine, theirs) < n:
        counts = f"winner reached it in {int(mine)} of {int(n)}, the other in {int(theirs)} of {int(n)}"
        if mine == theirs:
            return counts, "not told apart by how often they reached it"
        return counts, "the winner is better" if mine > theirs else "the winner is worse"
    shown = difference(objective, row["difference"], row["lower"], row["upper"], currency)
    if finite(row["lower"]) and row["lower"] <= 0 <= row["upper"]:
        return shown, "equivalent: the interval includes 0"
    if not finite(row["difference"]):
        return shown, "undefined"
    return shown, "the winner is better" if _better(objective, row["difference"]) else "the winner is worse"


def _better(metric: str, difference: float) -> bool:
    return (difference < 0) if smaller_is_better(metric) else (difference > 0)
