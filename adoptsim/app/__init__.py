"""`adoptsim app`: the model in the browser (Solara), with live charts and saved scenarios.

session.py   settings over scenario fields, the current and reference runs, the network sample
charts.py    the live figure (matplotlib, updated in place, sent as JPEG)
page.py      the Solara page: inputs by group, play/step/reset, save scenario
server.py    starting the Solara server for one scenario
"""
