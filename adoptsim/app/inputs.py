"""The page's input components: a slider that applies once it rests, number boxes, choices, and
the cards of groups and interventions (with Remove, and Add for a new one)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

import solara

from adoptsim.app.background import use_background
from adoptsim.app.controls import Control, Group
from adoptsim.interventions import INTERVENTION_TYPES

SLIDER_REST_S = 0.4
CARD = {"flex-shrink": "0"}  # cards keep their height in the scrolling column
FOLDED = ("Trait means by age group",)  # groups shown folded: many inputs rarely changed


def css_class(path: str) -> str:
    """`interventions[refer].reward` -> `adoptsim-interventions-refer--reward` (a valid class)."""
    return "adoptsim-" + re.sub(r"[^A-Za-z0-9_-]", "-", path)


def shown_number(value: Any) -> str:
    """A setting as shown beside its label and in the list of changes."""
    if value is None:
        return "unlimited"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "none"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:,}" if isinstance(value, int) else f"{value:g}"
    return str(value)


def use_applied_at_rest(
    control: Control,
    value: Any,
    refusals: int,
    edited: Any,
    new: Any,
    ready: bool,
    put_back: Callable[[], None],
    on_change: Callable[[str, Any], None],
) -> None:
    """An input's edit (`edited`: what it shows) applied as `new` once it rests for a moment, if
    `ready`; a newer edit stops the wait. `put_back` shows the applied `value` again when it changes
    from elsewhere or a change is refused (`refusals` counts them), but not when it is the input's
    own value coming back, which would undo what was edited since."""
    applied = solara.use_ref(None)
    solara.use_effect(lambda: None if value == applied.current else put_back(), [value, refusals])

    def apply_at_rest(stop: threading.Event) -> None:
        if ready and not stop.wait(SLIDER_REST_S):
            applied.current = new
            on_change(control.path, new)

    use_background(apply_at_rest, [edited])


@solara.component
def Slider(control: Control, value: float, on_change, refusals: int = 0) -> None:  # noqa: N802 (a Solara component)
    """Label and value above the track; applied once the slider rests for a moment, so dragging
    does not rebuild the run at every pixel. A refused change (`refusals` counts them) puts the
    applied value back; the slider's own value coming back does not move it from where it is now."""
    shown, set_shown = solara.use_state(value)
    new = int(shown) if control.kind == "int" else float(shown)
    use_applied_at_rest(control, value, refusals, shown, new, shown != value, lambda: set_shown(value), on_change)
    solara.Text(f"{control.label}: {shown_number(shown)}", style={"font-size": "0.85rem"})
    solara.v.Slider(
        v_model=shown,
        on_v_model=set_shown,
        min=control.low,
        max=control.high,
        step=control.step,
        density="compact",
        hide_details=True,
        class_=f"adoptsim-slider {css_class(control.path)}",
    )


def box_text(value: Any) -> str:
    """A number as typed: `100000`, not `100000.0`; empty for none."""
    if value is None:
        return ""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def parse_number(text: str, kind: str) -> tuple[Any, str]:
    """A number box's text as its value, and a problem ('' if none); empty is None for a budget."""
    cleaned = text.strip().replace(",", "")
    if not cleaned:
        return (None, "") if kind == "budget" else (None, "a number is needed")
    try:
        return (int(cleaned) if kind == "int" else float(cleaned)), ""
    except ValueError:
        return None, "not a number"


@solara.component
def NumberBox(control: Control, value: Any, on_change, refusals: int = 0) -> None:  # noqa: N802 (a Solara component)
    """A typed number, applied once typing rests for a moment (as sliders are), so a value is not
    applied digit by digit; a budget may be empty (unlimited). A refused value (`refusals` counts
    them) is replaced by the applied one; the box's own value coming back leaves what is typed since."""
    text, set_text = solara.use_state(box_text(value))
    parsed, problem = parse_number(text, control.kind)
    ready = not problem and parsed != value
    use_applied_at_rest(control, value, refusals, text, parsed, ready, lambda: set_text(box_text(value)), on_change)
    solara.v.TextField(
        v_model=text,
        on_v_model=set_text,
        label=f"{control.label} ({problem})" if problem else control.label,
        error=bool(problem),
        density="compact",
        hide_details=True,
        class_=css_class(control.path),
    )


@solara.component
def Input(control: Control, value: Any, on_change, refusals: int = 0) -> None:  # noqa: N802 (a Solara component)
    def set_value(new: Any) -> None:
        on_change(control.path, new)

    classes = [css_class(control.path)]
    if control.kind == "float" or control.path == "population.size":
        Slider(control, value, on_change, refusals)
    elif control.kind in ("int", "budget", "money"):
        NumberBox(control, value, on_change, refusals)
    else:
        solara.SelectMultiple(
            control.label,
            values=value,
            all_values=list(control.choices),
            on_value=set_value,
            dense=True,
            classes=classes,
        )


@solara.component
def Inputs(groups: list[Group], values: dict[str, Any], on_change, on_remove, refusals: int = 0) -> None:  # noqa: N802
    """Every input by group; `refusals` counts refused changes, each putting the inputs back."""
    for group in groups:
        with solara.Card(group.title, margin=0, classes=["mb-2"], style=CARD):
            if group.title.startswith(FOLDED):
                with solara.Details(f"{len(group.controls)} inputs"):
                    for control in group.controls:
                        Input(control, values[control.path], on_change, refusals)
            else:
                for control in group.controls:
                    Input(control, values[control.path], on_change, refusals)
            if group.intervention is not None:
                solara.Button(
                    f"Remove {group.intervention}",
                    on_click=lambda name=group.intervention: on_remove(name),
                    color="error",
                    outlined=True,
                    small=True,
                    classes=["adoptsim-remove"],
                )


@solara.component
def AddIntervention(on_add) -> None:  # noqa: N802 (a Solara component)
    """A type to add, with its defaults (docs/interventions.md), from the first week."""
    kind = solara.use_reactive("signup_bonus")
    with solara.Row(style={"align-items": "center"}):
        solara.Select("Type", values=list(INTERVENTION_TYPES), value=kind, dense=True, classes=["adoptsim-add-type"])
        solara.Button("Add", on_click=lambda: on_add(kind.value), color="primary", classes=["adoptsim-add"])
