"""Results: the Recorder, KPIs and their intervals, economics, stores and exports."""
