"""The app's charts drawn again only in part: a change of settings keeps the figure, and a grown
axis or a new band redraws only its panel; the pixels are those of a figure drawn whole."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from adoptsim.app.charts import Dashboard
from adoptsim.app.session import Session
from adoptsim.app.tables import replication_bands
from adoptsim.scenario.loading import load_scenario
from tests.conftest import ROOT


def pixels(dashboard: Dashboard) -> np.ndarray:
    return np.asarray(dashboard.figure.canvas.buffer_rgba()).copy()


def drawn_whole(session: Session, bands: bool) -> np.ndarray:
    """The current run's charts in a new figure (drawn whole), bands added as the session did."""
    model, scenario = session.model, session.scenario
    labels = [model.age_group_labels, model.region_labels, model.intervention_names]
    sizes, currency = (scenario.steps, scenario.population.size), scenario.economics.currency
    fresh = Dashboard(session.reference, *sizes, *labels, session.sample, currency=currency)
    fresh.update(session.table(), model.people.stage)
    if bands:
        reference = session._references[session.reps]
        fresh.set_bands(replication_bands(session.runs), replication_bands(reference), session.reps)
    fresh.render(session.table(), model.people.stage)
    return pixels(fresh)


@pytest.mark.slow
def test_a_changed_run_reuses_the_figure_and_draws_what_a_new_figure_draws(monkeypatch):
    session = Session(load_scenario(ROOT / "scenarios" / "referral.yaml", ["population.size=1500", "steps=30"]))
    session.render()
    first, first_state = session.dashboard, session.dashboard._state()  # week 0, no bands yet
    session.compute_replications()
    session.render()
    whole = []
    draw = FigureCanvasAgg.draw
    monkeypatch.setattr(FigureCanvasAgg, "draw", lambda canvas: whole.append(1) or draw(canvas))

    session.reset({**session.values, "behaviour.q_wom": 0.08, "interventions[refer_a_friend].reward": 40})
    assert session.dashboard is first  # the same panels: the figure is kept, back at week 0
    session.render()
    assert whole == [] and np.array_equal(pixels(first), drawn_whole(session, bands=False))
    whole.clear()

    session.run_to_end()
    session.render()  # both growing axes grew: their panels drawn again
    state = first._state()
    assert state[0] > first_state[0] and state[1] > first_state[1] and state[2] is None
    assert np.array_equal(pixels(first), drawn_whole(session, bands=False))
    session.compute_replications()
    session.render()  # the bands: the active-share panel drawn again
    assert first._state()[2] is not None
    assert whole == [1]  # only the new figure above was drawn whole
    assert np.array_equal(pixels(first), drawn_whole(session, bands=True))

    whole.clear()
    session.reset(dict(session.values))
    session.render()  # a background seen before: nothing drawn again
    assert whole == [] and first._state() == first_state
