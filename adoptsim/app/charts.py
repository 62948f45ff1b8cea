"""The app's live charts: one matplotlib figure, built once per run, whose artists are updated.

Drawn server-side to an image (no JavaScript charting library: the app needs no CDN and
works offline). Axes, ticks, legends and the reference curves are drawn once into a background;
a redraw restores it, draws only the moving artists on top (blitting) and pastes the legends'
pixels back over them; text is never drawn again, which is what keeps a
step plus redraw of 20,000 consumers far under 200 ms. The background is a function of the
two growing axes' limits and of the bands shown: the last few are kept, a new one is drawn from
the last by drawing again only the panel that changed (over its own pixels, cleared), and a
restarted run (`restart`, the same layout) starts again from the first. Panels: funnel stages, active share
(this run against the unchanged scenario on the same random numbers), active share by age
group and region, cumulative spend, and the network sample coloured by stage.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.transforms import Bbox
from PIL import Image

from adoptsim.figures.formatting import money_axis_label, percent_ticks, thousands_ticks
from adoptsim.figures.plot_style import band_label, color
from adoptsim.figures.plots import STAGE_COLUMNS
from adoptsim.world.stages import Stage

if TYPE_CHECKING:
    from adoptsim.app.network_sample import NetworkSample

STAGE_COLOURS = {"unaware": "#c7c7c7", "aware": "#f0a202", "active": "#2a9d4b", "lapsed": "#d1495b"}
STAGE_ORDER = [STAGE_COLOURS[stage.name.lower()] for stage in sorted(Stage)]
REFERENCE = {"color": "#555555", "ls": "--", "lw": 1.4}
KEPT_BACKGROUNDS = 6  # 2.9 MB each at the app's size


class Dashboard:
    """The figure of one run; `render(table, stages)` updates it and returns JPEG bytes.

    JPEG because it encodes in about 2 ms where PNG takes 40-80 ms at this size; at quality 90
    lines and text stay sharp enough to read."""

    def __init__(
        self,
        reference: pd.DataFrame,
        steps: int,
        population: int,
        age_groups: list[str],
        regions: list[str],
        interventions: list[str],
        sample: NetworkSample,
        dpi: int = 80,
        currency: str = "",
    ) -> None:
        self.population = population
        self._backgrounds: dict[tuple, tuple] = {}  # state -> (figure pixels, legends' pixels), oldest first
        self.figure = Figure(figsize=(15, 7.6), dpi=dpi)
        FigureCanvasAgg(self.figure)
        self.figure.subplots_adjust(left=0.05, right=0.99, bottom=0.08, top=0.93, wspace=0.28, hspace=0.42)
        grid = self.figure.add_gridspec(2, 3)
        funnel, versus = self.figure.add_subplot(grid[0, 0]), self.figure.add_subplot(grid[0, 1])
        segments, spend = self.figure.add_subplot(grid[1, 0]), self.figure.add_subplot(grid[1, 1])
        network = self.figure.add_subplot(grid[:, 2])
        for ax in (funnel, versus, segments, spend):
            ax.set_xlim(0, steps)
            ax.set_xlabel("week")
            ax.grid(alpha=0.3)
        for ax in (funnel, versus, segments):
            ax.set_ylim(0, 1)
            ax.yaxis.set_major_formatter(percent_ticks())

        funnel.set_title("Funnel: share of consumers by stage")
        self.stage_lines = {
            column: funnel.plot([], [], color=STAGE_COLOURS[name], lw=2, label=name)[0]
            for column, name in STAGE_COLUMNS.items()
        }
        # the legend in a band of its own above 100 %: a curve can be anywhere below it as the run goes on
        # (at "center right" it hid the active and aware curves' last 30 weeks)
        funnel.set_ylim(0, 1.2)
        funnel.set_yticks(np.linspace(0, 1, 6))
        self.legends = [funnel.legend(loc="upper center", fontsize=8, ncol=len(self.stage_lines), frameon=False)]

        versus.set_title("Active users: this run against the unchanged scenario")
        versus.plot(reference["step"], reference["share_active"], label="unchanged scenario", **REFERENCE)
        self.active_line = versus.plot([], [], color=STAGE_COLOURS["active"], lw=2.2, label="this run")[0]
        self.versus, self.band, self.band_data, self.reference_fill = versus, None, None, None
        self.reference_active = float(reference["share_active"].max())
        self.active_top = 0.0
        self._fit_active(self.reference_active)
        self.legends.append(versus.legend(loc="upper left", fontsize=9))

        segments.set_title("Active share by segment (age solid, region dashed)")
        self.segment_lines = {}
        for i, label in enumerate(age_groups):
            line = segments.plot([], [], color=color(i), lw=1.8, label=label)[0]
            self.segment_lines[f"share_active_age_{label}"] = line
        for i, label in enumerate(regions):
            line = segments.plot([], [], color=color(len(age_groups) + i), lw=1.8, ls="--", label=label)[0]
            self.segment_lines[f"share_active_region_{label}"] = line
        self.legends.append(segments.legend(loc="upper left", fontsize=8, ncol=2))

        spend.set_title(money_axis_label("Cumulative spend", currency))
        spend.yaxis.set_major_formatter(thousands_ticks())
        self.spend_ax = spend
        self.reference_spend = float(reference["spend_total"].sum())
        self.spend_lines = {
            f"spend_{name}": spend.plot([], [], color=color(i), lw=1.2, label=name)[0]
            for i, name in enumerate(interventions)
        }
        if interventions:
            self.spend_lines["spend_total"] = spend.plot([], [], color="black", lw=2, label="this run (all)")[0]
            total = reference["spend_total"].cumsum()
            spend.plot(reference["step"], total, label="unchanged scenario (all)", **REFERENCE)
            columns = 1 if len(interventions) < 5 else 2
            self.legends.append(spend.legend(loc="upper left", fontsize=7 if columns == 2 else 8, ncol=columns))
        else:
            spend.text(0.5, 0.5, "no interventions", ha="center", va="center", transform=spend.transAxes)

        network.set_title(f"A sample of {sample.nodes.size} consumers and their ties")
        network.set_axis_off()
        network.add_collection(
            LineCollection(sample.positions[sample.edges], colors="#999999", linewidths=0.5, alpha=0.5)
        )
        self.sample, self.nodes = sample, sample.nodes  # the sample kept: the session knows it by its id
        self.points = network.scatter(
            sample.positions[:, 0], sample.positions[:, 1], s=28, edgecolors="white", linewidths=0.4
        )
        network.legend(
            handles=[
                Line2D([], [], marker="o", ls="", color=c, label=s, markersize=8) for s, c in STAGE_COLOURS.items()
            ],
            loc="lower center",
            ncol=4,
            fontsize=9,
            bbox_to_anchor=(0.5, -0.06),
        )
        self.spend_top = 0.0
        self._legend_pixels: list = []
        for artist in self._moving():
            artist.set_animated(True)

    def restart(self) -> None:
        """Back to week 0 of a new run on the same layout: the first axis limits, no bands."""
        if self.band is not None:
            self.band.remove()
            self.reference_fill.remove()
            self.band = self.band_data = self.reference_fill = None
            self.legends[1].remove()
            self.legends[1] = self.versus.legend(loc="upper left", fontsize=9)
        self.active_top = 0.0
        self._fit_active(self.reference_active)
        self.spend_top = 0.0

    def _moving(self) -> Iterator:
        yield from self.stage_lines.values()
        if self.band is not None:
            yield self.band
        yield self.active_line
        yield from self.segment_lines.values()
        yield from self.spend_lines.values()
        yield self.points

    def update(self, table: pd.DataFrame, stages: np.ndarray) -> None:
        """Move every line to the run so far and colour the sample by stage."""
        steps = table["step"].to_numpy()
        for column, line in self.stage_lines.items():
            line.set_data(steps, table[column].to_numpy() / self.population)
        self.active_line.set_data(steps, table["share_active"].to_numpy())
        self._fit_active(float(table["share_active"].max()))
        for column, line in self.segment_lines.items():
            line.set_data(steps, table[column].to_numpy())
        top = self.reference_spend
        for column, line in self.spend_lines.items():
            spent = table[column].cumsum().to_numpy()
            line.set_data(steps, spent)
            top = max(top, float(spent[-1]))
        if top > self.spend_top:  # the axis grows in jumps, so the background is rarely redrawn
            self.spend_top = max(top, 10.0) * 1.5
            self.spend_ax.set_ylim(0, self.spend_top)
        self.points.set_facecolors(np.array(STAGE_ORDER)[stages[self.nodes]])
        if self.band is not None:
            shown = self.band_data[self.band_data["step"] <= steps[-1]]
            x = shown["step"].to_numpy(dtype=float)
            outline = np.column_stack(
                [np.r_[x, x[::-1]], np.r_[shown["low"].to_numpy(), shown["high"].to_numpy()[::-1]]]
            )
            self.band.set_verts([outline])

    def _fit_active(self, highest: float) -> None:
        """The active-share axis up to a bit above the highest share drawn (bands stay visible)."""
        if highest > self.active_top:
            self.active_top = min(1.0, max(0.05, highest * 1.25))
            self.versus.set_ylim(0, self.active_top)

    def set_bands(self, run: dict[str, pd.DataFrame], reference: dict[str, pd.DataFrame], reps: int) -> None:
        """Draw the replications' spread: the reference's whole band once (background), this
        run's up to the week reached, under its line."""
        if reps < 2 or self.band is not None:
            return
        ref = reference["share_active"]
        self.reference_fill = self.versus.fill_between(
            ref["step"],
            ref["low"],
            ref["high"],
            color=REFERENCE["color"],
            alpha=0.15,
            lw=0,
            label="unchanged scenario's spread",  # short: the legend sits in the panel
        )
        self.band_data = run["share_active"]
        self._fit_active(float(max(self.band_data["high"].max(), ref["high"].max())))
        self.band = PolyCollection(
            [np.zeros((0, 2))], facecolors=STAGE_COLOURS["active"], alpha=0.25, lw=0, label=band_label(reps, "range")
        )
        self.band.set_animated(True)
        self.versus.add_collection(self.band)
        self.legends[1].remove()
        self.legends[1] = self.versus.legend(loc="upper left", fontsize=9)

    def _state(self) -> tuple:
        """What the background shows besides the fixed layout."""
        return self.active_top, self.spend_top, None if self.band is None else self.band.get_label()

    def _draw_background(self, state: tuple) -> tuple:
        """The background for `state` (figure pixels, legends' pixels, the growing panels' extents):
        kept, or drawn from the last one kept (only the panels whose state differs), or drawn whole."""
        if state in self._backgrounds:
            self._backgrounds[state] = self._backgrounds.pop(state)  # the most recent last
            return self._backgrounds[state]
        canvas = self.figure.canvas
        renderer = canvas.get_renderer()
        if not self._backgrounds:
            canvas.draw()
        else:
            last, (pixels, _, extents) = next(reversed(self._backgrounds.items()))
            canvas.restore_region(pixels)
            changed = [self.versus] if (last[0], last[2]) != (state[0], state[2]) else []
            changed += [self.spend_ax] if last[1] != state[1] else []
            buffer, height = np.asarray(canvas.buffer_rgba()), self.figure.bbox.height
            for ax in changed:  # the panel's pixels before and after, made the figure's white
                box = Bbox.union([extents[ax], ax.get_tightbbox(renderer)]).padded(2)
                rows, columns = (
                    slice(max(0, int(height - box.y1)), int(height - box.y0) + 1),
                    slice(max(0, int(box.x0)), int(box.x1) + 1),
                )
                buffer[rows, columns] = 255
                ax.draw(renderer)
        kept = (
            canvas.copy_from_bbox(self.figure.bbox),
            [canvas.copy_from_bbox(legend.get_window_extent()) for legend in self.legends],
            {ax: ax.get_tightbbox(renderer) for ax in (self.versus, self.spend_ax)},
        )
        self._backgrounds[state] = kept
        if len(self._backgrounds) > KEPT_BACKGROUNDS:
            del self._backgrounds[next(iter(self._backgrounds))]
        return kept

    def image(self, kind: str = "jpeg") -> bytes:
        """The background (drawn again only for a state not seen lately) with the moving artists on top."""
        canvas = self.figure.canvas
        background, self._legend_pixels, _ = self._draw_background(self._state())
        canvas.restore_region(background)
        for artist in self._moving():
            self.figure.draw_artist(artist)
        for pixels in self._legend_pixels:  # legends back on top of the lines, as pixels: no text drawn
            canvas.restore_region(pixels)
        width, height = canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format=kind, **({"quality": 90} if kind == "jpeg" else {}))
        return buffer.getvalue()

    def render(self, table: pd.DataFrame, stages: np.ndarray) -> bytes:
        self.update(table, stages)
        return self.image()
