"""The Solara page: inputs grouped in words, run controls, live charts, save scenario.

Changing an input rebuilds the current run at week 0 with the new settings (same seed), so the
curve that follows differs from the unchanged scenario's only by the change. Play steps about
ten weeks a second in a background thread; the charts subscribe to a redraw counter so the
inputs are not re-rendered at every step.
"""

from __future__ import annotations

import html
import json
import os
import time
from typing import Any

import solara

from adoptsim.app.server import OVERRIDES_ENV, SCENARIO_ENV
from adoptsim.app.session import Control, Group, Session, control_groups
from adoptsim.errors import AdoptsimError
from adoptsim.results.metrics import headline_kpis
from adoptsim.scenario.loading import load_scenario

PLAY_INTERVAL_S = 0.1
SLIDER_REST_S = 0.4
CARD = {"flex-shrink": "0"}  # cards keep their height in the scrolling column


def load_app_scenario():
    """The scenario the server was started with (already validated by the command)."""
    return load_scenario(os.environ[SCENARIO_ENV], json.loads(os.environ.get(OVERRIDES_ENV, "[]")))


def _number(value: Any) -> str:
    return "unlimited" if value is None else (f"{value:,}" if isinstance(value, int) else f"{value:g}")


@solara.component
def Slider(control: Control, value: float, on_change) -> None:  # noqa: N802 (a Solara component)
    """Label and value above the track; applied once the slider rests for a moment, so dragging
    does not rebuild the run at every pixel."""
    shown, set_shown = solara.use_state(value)
    solara.use_effect(lambda: set_shown(value), [value])

    def apply_when_still() -> None:
        if shown != value:
            time.sleep(SLIDER_REST_S)  # a newer position cancels this thread before it applies
            on_change(control.path, int(shown) if control.kind == "int" else float(shown))

    solara.use_thread(apply_when_still, dependencies=[shown])
    solara.Text(f"{control.label}: {_number(shown)}", style={"font-size": "0.85rem"})
    solara.v.Slider(
        v_model=shown,
        on_v_model=set_shown,
        min=control.low,
        max=control.high,
        step=control.step,
        density="compact",
        hide_details=True,
        class_=f"adoptsim-slider adoptsim-{control.path.replace('.', '-')}",
    )


@solara.component
def Input(control: Control, value: Any, on_change) -> None:  # noqa: N802 (a Solara component)
    def set_value(new: Any) -> None:
        on_change(control.path, new)

    if control.kind in ("float",) or control.path == "population.size":
        Slider(control, value, on_change)
    elif control.kind == "int":
        solara.InputInt(control.label, value=value, on_value=set_value, dense=True)
    elif control.kind == "budget":
        solara.InputFloat(control.label, value=value, on_value=set_value, optional=True, clearable=True, dense=True)
    else:
        solara.SelectMultiple(
            control.label, values=value, all_values=list(control.choices), on_value=set_value, dense=True
        )


@solara.component
def Inputs(groups: list[Group], values: dict[str, Any], on_change) -> None:  # noqa: N802 (a Solara component)
    for group in groups:
        with solara.Card(group.title, margin=0, classes=["mb-2"], style=CARD):
            for control in group.controls:
                Input(control, values[control.path], on_change)


@solara.component
def Summary(session: Session, version: solara.Reactive[int]) -> None:  # noqa: N802 (a Solara component)
    """Where the run is, against the unchanged scenario at the same week."""
    _ = version.value
    week, table = session.week, session.table()
    active = float(table["share_active"].iloc[-1])
    reference = float(session.reference["share_active"].iloc[week])
    solara.HTML(
        unsafe_innerHTML=f"<b>Week {week} of {session.scenario.steps}</b> · active users <b>{active:.2%}</b> · "
        f"unchanged scenario at week {week}: {reference:.2%} · difference {100 * (active - reference):+.2f} points"
        f" · spent {table['spend_total'].sum():,.0f}",
        classes=["adoptsim-summary"],
        style="font-size: 1.05rem",
    )
    changes = session.changes()
    if changes:
        listed = "; ".join(f"<code>{html.escape(k)}</code> = {html.escape(_number(v))}" for k, v in changes.items())
        solara.HTML(unsafe_innerHTML=f"Changed from the scenario: {listed}")


@solara.component
def Kpis(session: Session, version: solara.Reactive[int]) -> None:  # noqa: N802 (a Solara component)
    """Once the run is over: its KPIs, as `adoptsim run` reports them."""
    _ = version.value
    if session.finished:
        kpis = session.kpis()
        rows = "".join(
            f"<tr><td>{name}</td><td class='adoptsim-kpi'>{kpis[name]!r}</td></tr>"
            for name in headline_kpis(session.scenario)
        )
        solara.HTML(
            tag="table",
            unsafe_innerHTML=f"<tr><th>KPI of this run</th><th>value</th></tr>{rows}",
            classes=["adoptsim-kpis"],
            style="font-size: 0.9rem; margin-top: 8px; align-self: flex-start",
        )


@solara.component
def Charts(session: Session, version: solara.Reactive[int]) -> None:  # noqa: N802 (a Solara component)
    _ = version.value
    solara.Image(session.render(), format="jpeg", width="100%", classes=["adoptsim-charts"])


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
def Page() -> None:  # noqa: N802 (a Solara component)
    session = solara.use_memo(lambda: Session(load_app_scenario()), [])
    groups = solara.use_memo(lambda: control_groups(session.base), [])
    values = solara.use_reactive(session.values)
    version = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    error = solara.use_reactive("")
    save_path = solara.use_reactive(f"results/app/{session.base.name}.yaml")
    saved = solara.use_reactive("")

    def redraw() -> None:
        version.value += 1

    def change(path: str, value: Any) -> None:
        """Apply a setting; one that cannot be applied is reported and the inputs go back."""
        playing.value = False
        try:
            session.reset({**values.value, path: value})
            error.value = ""
        except AdoptsimError as err:
            error.value = f"not applied: {err}"
        values.value = dict(session.values)
        redraw()

    def reset() -> None:
        playing.value = False
        session.reset(values.value)
        redraw()

    def step() -> None:
        session.step()
        redraw()

    def run_to_end() -> None:
        playing.value = False
        session.run_to_end()
        redraw()

    def play() -> None:
        while playing.value and not session.finished:
            started = time.perf_counter()
            session.step()
            redraw()
            time.sleep(max(0.0, PLAY_INTERVAL_S - (time.perf_counter() - started)))
        playing.value = False

    solara.use_thread(play, dependencies=[playing.value])

    def save() -> None:
        try:
            written = session.save(save_path.value)
            saved.value = f"Saved {written}; 'adoptsim run {written} --reps 1' repeats this run."
        except OSError as err:
            saved.value = f"Could not save: {err.strerror} ({save_path.value})"

    solara.Title(f"adoptsim: {session.base.name}")
    with solara.AppBar():
        solara.AppBarTitle(f"adoptsim · {session.base.name} · {session.base.population.size:,} consumers in the file")
    with solara.Columns([1, 3], style={"align-items": "flex-start"}):
        with solara.Column(style={"max-height": "calc(100vh - 80px)", "overflow-y": "auto"}):
            with solara.Card("Run", margin=0, classes=["mb-2"], style=CARD):
                RunButtons(session, version, playing, reset, step, run_to_end)
                solara.Text("An input change restarts the run at week 0 on the same random numbers.")
                if error.value:
                    solara.Error(error.value)
            with solara.Card("Save scenario", margin=0, classes=["mb-2"], style=CARD):
                solara.InputText("File", value=save_path, continuous_update=True, classes=["adoptsim-save-path"])
                solara.Button("Save scenario", on_click=save, color="primary")
                if saved.value:
                    solara.HTML(
                        unsafe_innerHTML=html.escape(saved.value),
                        classes=["adoptsim-saved"],
                        style="font-size: 0.85rem",
                    )
            Inputs(groups, values.value, change)
        with solara.Column():
            Summary(session, version)
            Charts(session, version)
            Kpis(session, version)
