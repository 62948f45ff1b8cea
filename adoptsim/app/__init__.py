"""`adoptsim app`: the model in the browser (Solara), with live charts and saved scenarios.

controls.py   the inputs: labelled scenario paths, settings to scenario, adding/removing interventions
session.py    the current and reference runs, their replications (bands), downloads, save
saving.py     where a save may go and what the file and its scenario are called
tables.py     the KPI table as the report words and formats it; the replications' bands
charts.py     the live figure (matplotlib, updated in place, sent as JPEG)
inputs.py     the page's input components (sliders and number boxes that apply once still)
page.py       the Solara page: inputs by group, play/step/reset, KPIs, save, downloads
origin.py     WebSocket handshakes only from the app's own origin
server.py     starting the Solara server for one scenario
"""
