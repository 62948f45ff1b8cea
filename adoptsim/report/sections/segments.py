"""Segments that lag: active share at the end per segment (every `share_active_<family>_<label>`
column), lowest first, against the whole population."""

from __future__ import annotations

from adoptsim.figures import plots
from adoptsim.figures.formatting import percent
from adoptsim.report.blocks import Table, chart
from adoptsim.report.results import Results

TITLE = "Segments that lag"


def render(results: Results) -> list | None:
    series = results.timeseries
    if series is None:
        return None
    families = plots.segment_families(list(series.columns))
    if not families:
        return None
    results.use("segments.png", "comparison_segments.png")
    columns = [c for cs in families.values() for c in cs]
    mean, _ = plots.final_segment_table(series, columns + ["share_active"])
    names = list(mean.index)
    order = mean[columns].mean(axis=0).sort_values().index
    label = {c: f"{plots.family_label(f)}: {plots.segment_label(c, f)}" for f, cs in families.items() for c in cs}
    rows = [["everyone", *[percent(mean.loc[n, "share_active"]) for n in names]]]
    rows += [[label[c], *[percent(mean.loc[n, c]) for n in names]] for c in order]
    lowest = ", ".join(label[c] for c in order[:3])
    blocks = [
        Table(
            ["segment (lowest first)", *map(str, names)],
            rows,
            f"Active share at the last step. Lagging most: {lowest}.",
        ),
        chart(
            "Active share by segment",
            plots.comparison_segments_figure(series),
            "Whiskers: 95 % CI of the mean over replications.",
        ),
    ]
    if results.kind == "run":
        blocks.append(chart("Segments over time", plots.segments_figure(series)))
    return blocks
