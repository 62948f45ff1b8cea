"""The Solara page: inputs grouped in words, run controls, live charts with replication bands,
the KPI table, save scenario and downloads.

Changing an input rebuilds the current run at week 0 with the new settings (same seeds), so the
curve that follows differs from the unchanged scenario's only by the change; a background thread
then runs the replications whose spread the chart draws. Play steps at the chosen speed in a
background thread; the charts subscribe to a redraw counter so the inputs are not re-rendered at
every step.
"""

from __future__ import annotations

import html
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import reacton.core
import solara

from adoptsim.app.background import use_background
from adoptsim.app.inputs import CARD, AddIntervention, Inputs, shown_number
from adoptsim.app.saving import SaveRefusedError, save_folders
from adoptsim.app.server import OVERRIDES_ENV, SCENARIO_ENV
from adoptsim.app.session import MOST_REPS, Session
from adoptsim.errors import AdoptsimError
from adoptsim.figures.formatting import percent
from adoptsim.scenario.loading import load_scenario

DEFAULT_SPEED = 10  # weeks a second


def load_app_session() -> Session:
    """A session over the scenario the server was started with (validated by the command)."""
    path = os.environ[SCENARIO_ENV]
    return Session(load_scenario(path, json.loads(os.environ.get(OVERRIDES_ENV, "[]"))), source=path)


@solara.component
def Summary(session: Session, version: solara.Reactive[int]) -> None:  # noqa: N802 (a Solara component)
    """Where the run is, against the unchanged scenario at the same week."""
    _ = version.value
    week, table = session.week, session.table()
    active = float(table["share_active"].iloc[-1])
    reference = float(session.reference["share_active"].iloc[min(week, len(session.reference) - 1)])
    currency = session.scenario.economics.currency
    solara.HTML(
        unsafe_innerHTML=f"<b>Week {week} of {session.scenario.steps}</b> · active users <b>{percent(active)}</b> · "
        f"unchanged scenario at week {week}: {percent(reference)} · "
        f"difference {100 * (active - reference):+.2f} percentage points"
        f" · spent {table['spend_total'].sum():,.0f} {html.escape(currency)}",
        classes=["adoptsim-summary"],
        style="font-size: 1.05rem",
    )
    changes = session.changes()
    if changes:
        shown = {k: "none" if k == "budget.total" and v is None else shown_number(v) for k, v in changes.items()}
        listed = "; ".join(f"<code>{html.escape(k)}</code> = {html.escape(v)}" for k, v in shown.items())
        solara.HTML(unsafe_innerHTML=f"Changed from the scenario: {listed}", classes=["adoptsim-changes"])


@solara.component
def Kpis(session: Session, version: solara.Reactive[int]) -> None:  # noqa: N802 (a Solara component)
    """Once the run is over: its KPIs as the report writes them, and the replications' spread."""
    _ = version.value
    if session.finished:
        spread = f"mean of {session.reps} replications (lowest to highest)"
        head = f"<tr><th>KPI</th><th>this run (replication 0)</th><th>{spread}</th></tr>"
        rows = "".join(
            "<tr>" + "".join(f"<td>{html.escape(text)}</td>" for text in row) + "</tr>" for row in session.kpi_table()
        )
        solara.HTML(
            tag="table",
            unsafe_innerHTML=head + rows,
            classes=["adoptsim-kpis"],
            style="font-size: 0.9rem; margin-top: 8px; align-self: flex-start; border-spacing: 12px 2px",
        )


@solara.component
def Charts(session: Session, version: solara.Reactive[int]) -> None:  # noqa: N802 (a Solara component)
    _ = version.value
    solara.Image(session.render(), format="jpeg", width="100%", classes=["adoptsim-charts"])


@solara.component
def RepsStatus(session: Session, version: solara.Reactive[int]) -> None:  # noqa: N802 (a Solara component)
    """Whether the replications behind the bands and the KPI spread are ready."""
    _ = version.value
    if session.reps == 1:
        state = "1 replication: no band"
    elif session.runs is None:
        state = f"{session.reps} replications: running in the background"
    else:
        state = f"{session.reps} replications: ready (the band in the chart)"
    solara.HTML(tag="div", unsafe_innerHTML=state, classes=["adoptsim-reps-status"], style="font-size: 0.85rem")


@solara.component
def RunButtons(  # noqa: N802 (a Solara component)
    session: Session, version: solara.Reactive[int], playing: solara.Reactive[bool], reset, step, run_to_end
) -> None:
    """Play and Step are disabled once the run is over (hence the redraw counter)."""
    _ = version.value
    with solara.Row(style={"flex-wrap": "wrap", "row-gap": "8px"}):
        solara.Button("Reset", on_click=reset, color="primary", outlined=True)
        solara.Button(
            "Pause" if playing.value else "Play",
            on_click=lambda: playing.set(not playing.value),
            color="primary",
            disabled=session.finished,
        )
        solara.Button("Step", on_click=step, color="primary", disabled=playing.value or session.finished)
        solara.Button("Run to end", on_click=run_to_end, color="primary", outlined=True)


@solara.component
def SaveCard(session: Session, generation: int) -> None:  # noqa: N802 (a Solara component)
    """A file name (never a path) in one of the allowed folders; an existing file is replaced
    only after 'Overwrite'."""
    folders = solara.use_memo(lambda: save_folders(session.source), [])
    folder = solara.use_reactive(folders[0].label)
    where = next(f.path for f in folders if f.label == folder.value)
    name = solara.use_reactive(session.default_name(where))
    solara.use_effect(lambda: name.set(session.default_name(where)), [generation, folder.value])
    message, exists = solara.use_reactive(""), solara.use_reactive(False)

    def save(overwrite: bool = False) -> None:
        try:
            written = session.save(where, name.value, overwrite)
            message.value, exists.value = f"Saved {written}; 'adoptsim run {written} --reps 1' repeats this run.", False
        except SaveRefusedError as err:
            message.value, exists.value = f"Not saved: {err}", "exists:" in str(err)
        except OSError as err:
            message.value, exists.value = f"Not saved: {err.strerror} ({where})", False

    with solara.Card("Save scenario", margin=0, classes=["mb-2"], style=CARD):
        solara.Select("Folder", values=[f.label for f in folders], value=folder, dense=True)
        solara.InputText("File name", value=name, continuous_update=True, classes=["adoptsim-save-path"])
        with solara.Row():
            solara.Button("Save scenario", on_click=save, color="primary")
            if exists.value:
                solara.Button("Overwrite", on_click=lambda: save(True), color="error", outlined=True)
        if message.value:
            solara.HTML(
                unsafe_innerHTML=html.escape(message.value), classes=["adoptsim-saved"], style="font-size: 0.85rem"
            )


@solara.component
def Page() -> None:  # noqa: N802 (a Solara component)
    session = solara.use_memo(load_app_session, [])
    values = solara.use_reactive(session.values)
    version, generation = solara.use_reactive(0), solara.use_reactive(session.generation)
    playing, speed = solara.use_reactive(False), solara.use_reactive(DEFAULT_SPEED)
    reps, error = solara.use_reactive(session.reps), solara.use_reactive("")
    refusals = solara.use_reactive(0)  # each refused change puts the inputs back
    # The state a change sets renders the page once, as one batch (unbatched, each assignment
    # renders it and redraws the charts again). Only the assignments: a batch holds back every
    # render, also those of what a visitor types meanwhile, so the change itself runs before it.
    batch = reacton.core.get_render_context()

    def redraw() -> None:
        version.value += 1

    def rebuilt(action) -> None:
        """Apply a change of settings or interventions; one that cannot be applied is reported
        and the inputs go back."""
        playing.value = False
        problem = ""
        try:
            action()
        except (AdoptsimError, ValueError) as err:
            problem = f"not applied: {err}"
        with batch:
            error.value = problem
            refusals.value += bool(problem)
            values.value = dict(session.values)
            generation.value = session.generation
            redraw()

    def change(path: str, value: Any) -> None:
        rebuilt(lambda: session.reset({**values.value, path: value}))

    def set_reps(count: int | None) -> None:
        session.set_reps(count or 1)
        with batch:
            reps.value = session.reps
            generation.value = session.generation
            redraw()

    def step() -> None:
        session.step()
        redraw()

    def run_to_end() -> None:
        playing.value = False
        session.run_to_end()
        redraw()

    def play(stop: threading.Event) -> None:
        if not playing.value:
            return
        while playing.value and not session.finished and not stop.is_set():
            started = time.perf_counter()
            session.step()
            redraw()
            stop.wait(max(0.0, 1 / speed.value - (time.perf_counter() - started)))
        if not stop.is_set():
            playing.value = False

    def replicate(_: threading.Event) -> None:
        if session.compute_replications(generation.value):
            redraw()

    use_background(play, [playing.value])
    use_background(replicate, [generation.value])

    solara.Title(f"adoptsim: {session.base.name}")
    with solara.AppBar():
        solara.AppBarTitle(f"adoptsim · {session.base.name} · {session.base.population.size:,} consumers")
    with solara.Columns([1, 3], style={"align-items": "flex-start"}):
        with solara.Column(style={"max-height": "calc(100vh - 80px)", "overflow-y": "auto"}):
            with solara.Card("Run", margin=0, classes=["mb-2"], style=CARD):
                RunButtons(
                    session, version, playing, lambda: rebuilt(lambda: session.reset(values.value)), step, run_to_end
                )
                solara.SliderInt(f"Speed: {speed.value} weeks/s", value=speed, min=1, max=20)
                solara.SliderInt(
                    f"Replications: {reps.value}",
                    value=reps.value,
                    on_value=set_reps,
                    min=1,
                    max=MOST_REPS,
                )
                RepsStatus(session, version)
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML="An input change restarts the run at week 0 on the same random numbers.",
                    style="font-size: 0.85rem",
                )
                if error.value:
                    solara.Error(error.value, classes=["adoptsim-error"])
            SaveCard(session, generation.value)
            with solara.Card("Download", margin=0, classes=["mb-2"], style=CARD):
                name = session.default_name(Path("."))
                solara.FileDownload(session.csv, f"{name}_timeseries.csv", "Time series (CSV)", mime_type="text/csv")
                solara.FileDownload(session.png, f"{name}_charts.png", "Charts (PNG)", mime_type="image/png")
            with solara.Card("Interventions", margin=0, classes=["mb-2"], style=CARD):
                AddIntervention(lambda kind: rebuilt(lambda: session.add_intervention(kind)))
            Inputs(
                session.groups(),
                values.value,
                change,
                lambda name: rebuilt(lambda: session.remove_intervention(name)),
                refusals.value,
            )
        with solara.Column():
            Summary(session, version)
            Charts(session, version)
            Kpis(session, version)
