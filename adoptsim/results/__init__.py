"""What runs leave behind: the per-step recorder, the KPI registry (kpis.py) and its intervals,
economics, and the output folder (store.py) that commands write and the report reads."""
