"""`adoptsim app` at 20,000 consumers: one step plus one redraw, as the page does on Play.

    python -m benchmarks.app [N] [REPEATS]    prints one JSON object

A frame is `Session.step()` then `Session.render()` (the figure's lines and node colours updated
and encoded as the JPEG the browser receives), for every week of the all-interventions scenario
(every intervention's spend line drawn). Repeats run the whole scenario again from a reset; the
median and the range are over all frames of all repeats. Set-up (the unchanged scenario's
reference run, the network layout, the figure) is timed once.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def measure(n: int = 20_000, repeats: int = 3) -> dict:
    from adoptsim.app.session import Session, initial_values
    from adoptsim.scenario.loading import load_scenario

    scenario = load_scenario(HERE / "all_interventions.yaml", [f"population.size={n}"])
    started = time.perf_counter()
    session = Session(scenario)
    setup = time.perf_counter() - started
    steps, redraws, frames = [], [], []
    for _ in range(repeats):
        session.reset(initial_values(scenario))
        session.render()
        while not session.finished:
            a = time.perf_counter()
            session.step()
            b = time.perf_counter()
            session.render()
            c = time.perf_counter()
            steps.append(b - a)
            redraws.append(c - b)
            frames.append(c - a)

    def summary(values: list[float]) -> dict:
        return {
            "median_ms": 1000 * statistics.median(values),
            "min_ms": 1000 * min(values),
            "max_ms": 1000 * max(values),
        }

    return {
        "n": n,
        "weeks": scenario.steps,
        "repeats": repeats,
        "setup_s": setup,
        "step": summary(steps),
        "redraw": summary(redraws),
        "step_plus_redraw": summary(frames),
    }


def describe(result: dict) -> str:
    """Table rows for `python -m benchmarks`."""
    lines = [f"{'':<18}{'median ms':>12}{'min ms':>10}{'max ms':>10}"]
    for key, label in (("step", "step"), ("redraw", "redraw (JPEG)"), ("step_plus_redraw", "step + redraw")):
        r = result[key]
        lines.append(f"{label:<18}{r['median_ms']:>12.1f}{r['min_ms']:>10.1f}{r['max_ms']:>10.1f}")
    lines.append(
        f"{result['repeats']} repeats x {result['weeks']} weeks; set-up (reference run, layout, figure) "
        f"{result['setup_s']:.1f} s"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:]]
    print(json.dumps(measure(*arguments)))
