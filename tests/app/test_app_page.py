"""The Solara page rendered in-process, without a browser or a server: what a person sees after
pressing its buttons, moving a slider, typing into a box and saving. The page's threads (play, the
replications, a resting slider) run as in the app, so each check waits for what the page shows.
The browser test (test_app_browser.py) covers the same page through Chromium, with the server,
interventions added and removed, the downloads and the WebSocket.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator

import comm
import ipyvuetify as v
import ipywidgets
import pytest
import solara
import solara.comm
import solara.widgets

import adoptsim.app.inputs as inputs
from adoptsim.app.page import Page
from adoptsim.app.server import OVERRIDES_ENV, SCENARIO_ENV
from adoptsim.app.session import Session
from adoptsim.scenario.loading import load_scenario
from tests.conftest import ROOT

SCENARIO = ROOT / "scenarios" / "referral.yaml"
WEEKS = 10


class Shown:
    """A rendered page and what it shows; every check waits for the page's threads."""

    def __init__(self, render_context, before: set[threading.Thread]) -> None:
        self.rc = render_context
        self.before = before  # the threads running before the page: the others are the page's

    def html(self, css_class: str) -> list[str]:
        return [
            widget.unsafe_innerHTML
            for widget in self.rc.find(solara.widgets.HTML).widgets
            if css_class in widget.attributes.get("class", "").split()
        ]

    def text(self, css_class: str) -> str:
        return " ".join(self.html(css_class))

    def button(self, label: str) -> v.Btn:
        return self.rc.find(v.Btn, children=[label]).widget

    def click(self, label: str) -> None:
        """Press a button; its handler's state changes render the page once (as one batch)."""
        with self.rc:
            self.button(label).click()

    def set(self, widget_class: type, value: object, **matches: object) -> None:
        """Type or slide a new value into an input (rendered once)."""
        with self.rc:
            self.rc.find(widget_class, **matches).widget.v_model = value

    def buttons(self) -> list[str]:
        return [str(b.children[-1]) for b in self.rc.find(v.Btn).widgets]

    def field(self, widget_class: type, css_class: str):
        return self.rc.find(widget_class, class_=css_class).widget

    def titles(self) -> list[str]:
        return [str(title.children[0]) for title in self.rc.find(v.CardTitle).widgets]

    def wait(self, condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                pytest.fail(f"the page never showed {what}; it shows {self.text('adoptsim-summary')!r}")
            time.sleep(0.1)

    def week(self) -> int:
        found = re.search(r"Week (\d+) of", self.text("adoptsim-summary"))
        assert found, self.text("adoptsim-summary")
        return int(found.group(1))

    def difference(self) -> float:
        found = re.search(r"difference ([+-][\d.]+) percentage points", self.text("adoptsim-summary"))
        assert found, self.text("adoptsim-summary")
        return float(found.group(1))

    def at_week(self, week: int) -> None:
        self.wait(lambda: f"Week {week} of {WEEKS}" in self.text("adoptsim-summary"), f"week {week}")

    def idle(self) -> None:
        """Wait until the page's threads (replications, a resting slider) are done."""
        self.wait(lambda: set(threading.enumerate()) <= self.before, "its background work done")


@pytest.fixture
def page(monkeypatch, tmp_path) -> Iterator[Shown]:
    """The page over the referral scenario (300 consumers, 10 weeks), started in a fresh folder
    (saves go to its results/app/); sliders and boxes apply at once instead of after resting."""
    monkeypatch.setenv(SCENARIO_ENV, str(SCENARIO))
    monkeypatch.setenv(OVERRIDES_ENV, f'["population.size=300", "steps={WEEKS}"]')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(inputs, "SLIDER_REST_S", 0.0)
    # Solara keeps the stack of every widget made without a kernel (for debugging): a third of a render
    monkeypatch.setattr(comm, "create_comm", solara.comm.DummyComm)
    before = set(threading.enumerate())
    _, render_context = solara.render(Page(), handle_error=False)
    shown = Shown(render_context, before)
    try:
        shown.idle()
        yield shown
    finally:
        if "Pause" in shown.buttons():
            shown.click("Pause")
        shown.idle()
        render_context.close()


def counting(monkeypatch, owner: type, name: str) -> Callable[[], int]:
    """Count the calls of a method from now on."""
    calls = []
    original = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return lambda: len(calls)


@pytest.mark.slow
def test_a_visitor_steps_plays_and_changes_the_run_and_saves_it_never_overwriting_silently(page, tmp_path, monkeypatch):
    """One visit (a page render and its replications cost seconds): the run buttons, a refused
    value, a slider that moves the curve, then save."""
    assert page.week() == 0 and "unchanged scenario at week 0" in page.text("adoptsim-summary")
    assert page.text("adoptsim-reps-status") == "3 replications: ready (the band in the chart)"
    assert page.html("adoptsim-kpis") == []  # no KPIs before the run is over
    page.click("Step")
    page.at_week(1)

    page.set(v.Slider, 1, label="Speed: 10 weeks/s")  # the slowest: Pause comes long before the end
    page.wait(lambda: page.rc.find(v.Slider, label="Speed: 1 weeks/s").widgets, "the new speed")
    page.click("Play")
    page.wait(lambda: "Pause" in page.buttons(), "Pause in place of Play")
    assert page.button("Step").disabled  # no stepping while playing
    page.wait(lambda: page.week() >= 2, "the weeks moving on their own")
    page.click("Pause")
    page.idle()  # the play thread has stopped: nothing steps the run any more
    paused = page.week()
    assert "Play" in page.buttons() and not page.button("Step").disabled and 2 <= paused < WEEKS

    page.click("Run to end")
    page.at_week(WEEKS)
    assert page.button("Play").disabled and page.button("Step").disabled
    page.wait(lambda: page.html("adoptsim-kpis"), "the KPI table")
    kpis = page.text("adoptsim-kpis")
    assert "this run (replication 0)" in kpis and "mean of 3 replications (lowest to highest)" in kpis
    assert "<td>active share at the end</td>" in kpis and "<td>week of most adoptions</td>" in kpis
    assert page.difference() == 0.0  # nothing changed: the run is the unchanged scenario
    unchanged_chart = bytes(page.rc.find(ipywidgets.Image).widget.value)

    page.field(v.TextField, "adoptsim-seed").v_model = "-5"
    page.wait(lambda: page.rc.find(v.Alert).widgets, "an error")
    assert "not applied: app settings: seed: must be at least 0 (got -5)" in str(page.rc.find(v.Alert).widget.children)
    page.idle()
    # the run and its settings were kept, and the box shows the applied seed again
    assert page.html("adoptsim-changes") == [] and page.week() == WEEKS
    page.wait(lambda: page.field(v.TextField, "adoptsim-seed").v_model != "-5", "the refused seed replaced")
    assert page.field(v.TextField, "adoptsim-seed").v_model.isdigit()

    media = page.field(v.Slider, "adoptsim-slider adoptsim-behaviour-p_media")
    assert media.v_model == pytest.approx(0.007)
    charts_drawn, page_drawn = counting(monkeypatch, Session, "render"), counting(monkeypatch, Session, "groups")
    media.v_model = 0.05
    page.wait(lambda: "behaviour.p_media</code> = 0.05" in page.text("adoptsim-changes"), "the change listed")
    page.at_week(0)  # a change restarts the run
    labels = [str(span.children[0]) for span in page.rc.find(v.Html, tag="span").widgets]
    assert "Media: weekly chance of hearing of it: 0.05" in labels and page.rc.find(v.Alert).widgets == []
    page.idle()
    # The charts are drawn for the change and when its replications are ready; the page is rendered
    # once, for the change (its state set as one batch: 4 renders unbatched): starting and ending
    # the replications' thread renders nothing (adoptsim/app/background.py).
    assert (charts_drawn(), page_drawn()) == (2, 1)
    page.click("Run to end")
    page.at_week(WEEKS)
    assert page.difference() > 0.5  # 300 consumers: 1.7 % active against 0.3 % unchanged
    assert bytes(page.rc.find(ipywidgets.Image).widget.value) != unchanged_chart

    name = page.field(v.TextField, "adoptsim-save-path").v_model
    assert name == "referral_p_media_0.05"  # the default name says what changed
    page.click("Save scenario")
    page.wait(lambda: page.html("adoptsim-saved"), "the save's message")
    written = f"results/app/{name}.yaml"
    assert page.text("adoptsim-saved").startswith(f"Saved {written}; &#x27;adoptsim run {written} --reps 1&#x27;")
    saved = load_scenario(tmp_path / written)
    assert saved.name == name and saved.behaviour.p_media == 0.05 and saved.seed == load_scenario(SCENARIO).seed
    assert (saved.population.size, saved.steps) == (300, WEEKS)
    page.wait(lambda: page.field(v.TextField, "adoptsim-save-path").v_model != name, "a free name proposed next")
    assert "Overwrite" not in page.buttons()

    page.set(v.TextField, name, class_="adoptsim-save-path")  # the saved name typed again
    page.wait(lambda: page.field(v.TextField, "adoptsim-save-path").v_model == name, "the typed name")
    page.click("Save scenario")
    page.wait(lambda: page.text("adoptsim-saved").startswith("Not saved:"), "the refusal")
    assert f"{written} exists: press &#x27;Overwrite&#x27;" in page.text("adoptsim-saved")
    (tmp_path / written).write_text("replaced below", encoding="utf-8")
    page.click("Overwrite")
    page.wait(lambda: page.text("adoptsim-saved").startswith("Saved"), "the overwrite")
    assert load_scenario(tmp_path / written).name == name and "Overwrite" not in page.buttons()
