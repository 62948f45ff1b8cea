"""The market-share figure of a run with rivals: pure (time series in, Figure out)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from adoptsim.figures.formatting import percent_ticks
from adoptsim.figures.plots import legend_outside, plot_with_band
from adoptsim.results.store import write_figure
from adoptsim.scenario.rivals import FOCAL, wallet_names


def write_rival_figures(out: Path, timeseries: pd.DataFrame, scenario: Any, band: str = "ci") -> list[Path]:
    """`market_shares.png` when the scenario has rivals; nothing otherwise."""
    if not scenario.rivals:
        return []
    figure = market_share_figure(timeseries, wallet_names(scenario.rivals), scenario.name, band)
    return [write_figure(out / "market_shares.png", figure)]


def market_share_figure(timeseries: pd.DataFrame, wallets: list[str], title: str = "", band: str = "ci") -> Figure:
    """Left: each wallet's market share (share of wallet users whose primary wallet it is) and the
    focal wallet's share of users; middle: the focal wallet's market share by age group and
    region (its niches); right: cumulative primary-wallet switches, focal <-> each rival."""
    figure = Figure(figsize=(15, 4.5), layout="constrained")
    shares, niches, switches = figure.subplots(1, 3)
    for i, wallet in enumerate(wallets):
        label = "focal wallet" if wallet == FOCAL else wallet
        plot_with_band(shares, timeseries, f"share_market_{wallet}", f"primary: {label}", i, i == 0, band)
    plot_with_band(shares, timeseries, "share_focal_of_users", "uses the focal wallet", len(wallets), False, band)
    shares.set_ylabel("share of wallet users")
    shares.yaxis.set_major_formatter(percent_ticks())
    shares.set_title(f"{title}: market shares" if title else "Market shares")
    prefix = f"share_market_{FOCAL}_"
    segments = [c for c in timeseries.columns if c.startswith(prefix)]
    for i, column in enumerate(segments):
        plot_with_band(niches, timeseries, column, column[len(prefix) :].replace("_", " ", 1), i, False, band)
    niches.set_ylabel("focal wallet's market share")
    niches.yaxis.set_major_formatter(percent_ticks())
    niches.set_title("Focal wallet's market share by segment")
    cumulative = timeseries.copy()
    for i, rival in enumerate(wallets[1:], start=1):
        for way, label, colour in (("to", f"focal -> {rival}", i), ("from", f"{rival} -> focal", 0)):
            column = f"new_switch_{way}_{rival}"
            cumulative[column] = timeseries.groupby("replication")[column].cumsum()
            plot_with_band(switches, cumulative, column, label, colour, False, band)
    switches.set_ylabel("consumers (cumulative)")
    switches.set_title("Primary-wallet switches")
    shares.set_ylim(0, 1.02)
    niches.set_ylim(0, None)
    legend_outside(shares)
    niches.legend(fontsize=7, frameon=False, ncols=2)
    legend_outside(switches)
    for ax in (shares, niches, switches):
        ax.set_xlim(0, int(timeseries["step"].max()))
        ax.set_xlabel("step (week)")
        ax.grid(alpha=0.3)
    return figure
