"""Studies over many runs: replications (runner.py), comparisons on common random numbers, sweeps,
uncertain inputs, calibration and optimisation, on any executor. They return tables, not figures."""
