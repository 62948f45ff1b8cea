"""Fixed-seed regression baseline (as starsim's and covasim's `tests/test_baselines.py`).

A few scenarios run at a fixed seed; their key series (every recorder column, every 8th step and
the last) and every KPI must equal the numbers stored in `tests/results/baselines/<case>.json`. Any change
to a rule, a draw or the order of draws fails here, so a refactor that claims to change nothing is
checked to change nothing.

When a change *should* move the numbers, update them on purpose and say why in the commit:

    uv run python -m tests.results.test_baselines --update

then read `git diff tests/results/baselines/` (the tool prints which numbers moved and by how much).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
STORE = ROOT / "tests" / "results" / "baselines"
EVERY = 8  # steps between stored rows of a series
RTOL = 1e-6  # float32 state: a reordered sum may move the last bits, nothing more

CASES: dict[str, tuple[str, list[str]]] = {
    "baseline": ("scenarios/baseline.yaml", ["population.size=3000", "steps=104"]),
    "all_interventions": ("benchmarks/all_interventions.yaml", ["population.size=3000", "steps=80"]),
    "rivals": ("scenarios/bank_entry.yaml", ["population.size=3000", "steps=80"]),
    "breach_recovery": ("scenarios/breach_recovery.yaml", ["population.size=3000", "steps=80"]),
}
SEED = 20261203


def compute(case: str) -> dict:
    """The case's stored numbers: recorder columns at every EVERY-th step and the last, and KPIs."""
    from adoptsim import load_scenario
    from adoptsim import run as run_scenario

    path, overrides = CASES[case]
    scenario = load_scenario(ROOT / path, overrides)
    result = run_scenario(scenario, reps=1, seed=SEED)
    series = result.timeseries
    steps = sorted(set(range(0, scenario.steps + 1, EVERY)) | {scenario.steps})
    rows = series[series["step"].isin(steps)]
    numeric = rows.select_dtypes(include="number")
    kpis = result.kpis.iloc[0]
    return {
        "scenario": path,
        "overrides": overrides,
        "seed": SEED,
        "series": {col: [_plain(v) for v in numeric[col]] for col in numeric.columns},
        "kpis": {name: _plain(kpis[name]) for name in result.kpis.columns if _is_number(kpis[name])},
    }


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _plain(value: object) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def _differences(stored: dict, now: dict) -> list[str]:
    problems = []
    for part in ("series", "kpis"):
        old, new = stored[part], now[part]
        for name in sorted(set(old) | set(new)):
            if name not in new:
                problems.append(f"{part}.{name}: no longer computed")
            elif name not in old:
                problems.append(f"{part}.{name}: new (not in the baseline)")
            else:
                a = np.array(old[name] if part == "series" else [old[name]], dtype=float)
                b = np.array(new[name] if part == "series" else [new[name]], dtype=float)
                if a.shape != b.shape or not np.allclose(a, b, rtol=RTOL, atol=1e-9, equal_nan=True):
                    gap = np.nanmax(np.abs(a - b)) if a.shape == b.shape else float("nan")
                    problems.append(f"{part}.{name}: moved (largest gap {gap:.6g})")
    return problems


@pytest.mark.parametrize("case", sorted(CASES))
def test_numbers_equal_the_stored_baseline(case: str) -> None:
    stored = json.loads((STORE / f"{case}.json").read_text())
    problems = _differences(stored, compute(case))
    assert not problems, (
        f"{case}: {len(problems)} numbers differ from tests/results/baselines/{case}.json; if the change is meant, run "
        "`uv run python -m tests.results.test_baselines --update` and say why in the commit:\n  "
        + "\n  ".join(problems[:30])
    )


def test_the_check_sees_a_one_step_shift() -> None:
    """The comparison is not vacuous: the baseline's active series moved by one step differs."""
    stored = json.loads((STORE / "baseline.json").read_text())
    shifted = json.loads(json.dumps(stored))
    active = shifted["series"]["n_active"]
    shifted["series"]["n_active"] = [active[0], *active[:-1]]
    assert _differences(stored, shifted) == ["series.n_active: moved (largest gap " + _gap(active) + ")"]


def _gap(values: list) -> str:
    a = np.array(values, dtype=float)
    return f"{np.max(np.abs(a[1:] - a[:-1])):.6g}"


def update() -> None:
    """Recompute every case and write it, printing what moved."""
    STORE.mkdir(exist_ok=True)
    for case in sorted(CASES):
        now = compute(case)
        target = STORE / f"{case}.json"
        if target.exists():
            moved = _differences(json.loads(target.read_text()), now)
            print(f"{case}: {len(moved)} numbers moved" + "".join(f"\n  {m}" for m in moved[:50]))
        else:
            print(f"{case}: written for the first time")
        target.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: uv run python -m tests.results.test_baselines --update")
    update()
