"""Graph statistics of the baseline: sampled (the default above 4M tie ends) against every tie.

uv run python -m benchmarks.graph_sample [N]      N consumers (default 1,000,000)
"""

from __future__ import annotations

import sys

import adoptsim.world.graph_stats as gs
from adoptsim.scenario.loading import load_scenario
from adoptsim.world.network import build_graph
from adoptsim.world.population import build_people
from adoptsim.world.streams import RandomStreams, seed_of


def main(n: int) -> None:
    scenario = load_scenario("scenarios/baseline.yaml", [f"population.size={n}"], True)
    streams = RandomStreams(seed_of(scenario, None))
    people = build_people(scenario.population, streams["population"])
    graph = build_graph(scenario.network, people.age_group, people.region, streams["network"])
    sampled = gs.measure(graph, people.age_group, people.region, 5000, 0)
    gs.EXACT_ENDS = 1 << 40
    exact = gs.measure(graph, people.age_group, people.region, 5000, 0)
    print(f"{'statistic':24s} {'every tie':>10s} {'sampled':>10s} {'se':>8s} {'diff/se':>8s}")
    for name in gs.SAMPLED[1:]:
        off = (sampled[name] - exact[name]) / sampled[name + "_se"]
        print(f"{name:24s} {exact[name]:10.5f} {sampled[name]:10.5f} {sampled[name + '_se']:8.5f} {off:8.2f}")
    print(f"ties measured: {sampled['ties_measured']:.0f} of {exact['ties_measured']:.0f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
