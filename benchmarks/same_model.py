"""Is a change a way of computing, or a change of the model? Runs of two checkouts compared in distribution.

    uv run python -m benchmarks.same_model record DIR OUT.json [--file F] [--size N] [--seeds K]
    uv run python -m benchmarks.same_model compare BEFORE.json AFTER.json

`record` runs the scenario F of the checkout in DIR (`git worktree add /tmp/before REV` gives
one) over seeds 1000..1000+K-1 and keeps a few series of every run; `compare` prints, for each
outcome (shares at weeks 26, 52 and the end, weeks to 30 % active, adoptions and lapses in all),
both means with their standard errors and Welch's t-test. A change that draws its random
numbers differently gives other runs but, if it keeps the model, p-values spread over (0, 1).
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np

SERIES = [
    "share_active",
    "share_ever_adopted",
    "n_aware",
    "new_adopters",
    "new_lapses",
    "n_merchants_accepting",
    "mean_trust",
]


def record(root: str, out: str, file: str, size: int, seeds: int) -> None:
    sys.path.insert(0, root)
    from adoptsim.engine.model import WalletAdoptionModel
    from adoptsim.scenario.loading import load_scenario

    scenario = load_scenario(f"{root}/{file}", [f"population.size={size}"], allow_large=True)
    runs = []
    for seed in range(1000, 1000 + seeds):
        model = WalletAdoptionModel(scenario, seed=seed, agents="lazy")
        model.run()
        table = model.recorder.table()
        runs.append({name: table[name].tolist() for name in SERIES})
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(runs, handle)


def outcomes(runs: list[dict]) -> dict[str, np.ndarray]:
    found = {}
    for name in SERIES:
        if name.startswith("new_"):
            found[f"total_{name}"] = np.array([sum(run[name]) for run in runs])
            continue
        values = np.array([run[name] for run in runs])
        for label, step in (("26", 26), ("52", 52), ("end", -1)):
            found[f"{name}@{label}"] = values[:, step]
    active = np.array([run["share_active"] for run in runs])
    found["weeks_to_30pct_active"] = np.array([np.argmax(a >= 0.3) if (a >= 0.3).any() else np.nan for a in active])
    return found


def compare(before: str, after: str) -> None:
    from scipy import stats

    with open(before, encoding="utf-8") as a, open(after, encoding="utf-8") as b:
        old, new = outcomes(json.load(a)), outcomes(json.load(b))
    print(f"{'outcome':30s} {'before':>22s} {'after':>22s} {'Welch p':>8s}")
    for name, x in old.items():
        y = new[name]
        p = stats.ttest_ind(x, y, equal_var=False, nan_policy="omit").pvalue
        print(f"{name:30s} {mean_and_error(x)} {mean_and_error(y)} {p:8.3f}")


def mean_and_error(values: np.ndarray) -> str:
    """mean ± its standard error, over the finite values"""
    error = np.nanstd(values, ddof=1) / np.sqrt(np.isfinite(values).sum())
    return f"{np.nanmean(values):10.4g} ± {error:8.3g}"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.same_model", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    rec = commands.add_parser("record")
    rec.add_argument("root")
    rec.add_argument("out")
    rec.add_argument("--file", default="scenarios/baseline.yaml")
    rec.add_argument("--size", type=int, default=5000)
    rec.add_argument("--seeds", type=int, default=40)
    cmp = commands.add_parser("compare")
    cmp.add_argument("before")
    cmp.add_argument("after")
    args = parser.parse_args()
    if args.command == "record":
        record(args.root, args.out, args.file, args.size, args.seeds)
    else:
        compare(args.before, args.after)


if __name__ == "__main__":
    main()
