"""`adoptsim calibrate FILE`: optimise, estimate the posterior, write the fit and the forecast.

Output folder:
    calibration.json   what is calibrated (a resumed calibration must match it)
    study.db, trials.csv      the Optuna study (SQLite; shared by processes) and its trials
    abc.db, posterior.csv     the ABC-SMC history and the last generation's weighted particles
    calibrated.yaml    the base scenario with the fitted values (`adoptsim run` runs it)
    fit.csv, parameters.csv, forecast.csv, fit.png, forecast.png
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from adoptsim.errors import AdoptsimError
from adoptsim.results.store import prepare_folder, write_csv, write_figure, write_text
from adoptsim.studies.calibration.objective import Problem
from adoptsim.studies.calibration.observations import date_of
from adoptsim.studies.calibration.outputs import (
    calibrated_yaml,
    fit_figure,
    fit_table,
    forecast_figure,
    forecast_table,
    parameters_table,
    run_ensemble,
    statistics,
)
from adoptsim.studies.calibration.posterior import POSTERIOR_FILE, draw, run_posterior
from adoptsim.studies.calibration.search import STUDY_FILE, completed, open_study, search
from adoptsim.studies.calibration.spec import LAUNCH, LoadedCalibration, load_calibration
from adoptsim.world.streams import replication_seed

MARKER = "calibration.json"


def prepare_output(loaded: LoadedCalibration, out: Path, resume: bool) -> None:
    """Refuse to mix calibrations in one folder; record what this one is."""
    marker = out / MARKER
    fingerprint = loaded.fingerprint()
    if marker.exists():
        if not resume:
            raise AdoptsimError(
                f"--out {out}: holds a calibration already; add --resume to continue it, or choose another --out"
            )
        if json.loads(marker.read_text())["fingerprint"] != fingerprint:
            raise AdoptsimError(f"--out {out}: holds a different calibration (the file, its scenario or data changed)")
        return
    write_text(marker, json.dumps({"name": loaded.spec.name, "fingerprint": fingerprint}, indent=1))


def calibrate_command(args: argparse.Namespace) -> int:
    """The `calibrate` command (see build_parser in cli.py for the options)."""
    from adoptsim.cli.common import executor_for, naming_files
    from adoptsim.studies.sweep import terminate_gracefully

    loaded = load_calibration(args.file)
    spec = loaded.spec
    out = prepare_folder(Path(args.out) if args.out else Path("results") / f"calibrate-{spec.name}")
    prepare_output(loaded, out, args.resume)
    trials = args.trials or spec.method.trials
    problem = Problem(loaded)
    fitted = int((~loaded.observations["heldout"]).sum())
    print(
        f"{spec.name}: {len(problem.names)} parameters ({', '.join(problem.names)}), {fitted} fitted and "
        f"{spec.holdout} held-out observations, {trials} trials x {spec.replications} replications "
        f"({spec.method.optimizer})"
    )
    study = open_study(problem, out)
    terminate_gracefully()
    started = time.perf_counter()
    named = naming_files({loaded.base["name"]: f"{args.file} (scenario {spec.scenario})"})
    try:
        with executor_for(args.workers, args.scheduler, pool_from=1) as executor, named:
            ran = search(problem, study, executor, trials, progress=True)
            best = dict(study.best_params)
            particles = None
            if spec.method.posterior.enabled:
                print(
                    f"posterior: ABC-SMC, up to {spec.method.posterior.generations} generations of "
                    f"{spec.method.posterior.population} particles ...",
                    flush=True,
                )
                particles = run_posterior(problem, out, executor)
            draws = (
                []
                if particles is None
                else draw(particles, problem.names, spec.method.posterior.draws, replication_seed(loaded.seed, 1))
            )
            ensemble = run_ensemble(problem, best, draws, executor, args.horizon)
    except KeyboardInterrupt:
        print(
            f"interrupted: {completed(study)} trials saved in {out / STUDY_FILE}; run again with --resume",
            file=sys.stderr,
        )
        return 130
    fit = fit_table(problem, ensemble)
    forecast = forecast_table(problem, ensemble)
    stats = statistics(fit)
    written = [
        write_csv(out / "trials.csv", study.trials_dataframe()),
        write_csv(out / "fit.csv", fit),
        write_csv(out / "forecast.csv", forecast),
        write_csv(out / "parameters.csv", parameters_table(problem, best, particles)),
        write_text(out / "calibrated.yaml", calibrated_yaml(problem, best, ensemble.steps, out, args.file)),
        write_figure(out / "fit.png", fit_figure(problem, fit, forecast, best)),
        write_figure(out / "forecast.png", forecast_figure(problem, fit, forecast, best)),
    ]
    if particles is not None:
        written.append(write_csv(out / POSTERIOR_FILE, particles))
    elapsed = time.perf_counter() - started
    print(
        f"ran {ran} trials ({completed(study)} in the study) in {elapsed:.1f} s; best objective {study.best_value:.4g}"
    )
    for name in problem.names:
        shown = f"{date_of(best[name]).date()} ({best[name]:.3f})" if name == LAUNCH else f"{best[name]:.4g}"
        print(f"  {name} = {shown}")
    print(f"fitted points: R^2 {stats['r2']:.3f}, RMSE {stats['rmse']:.4g}")
    if stats["heldout"]:
        print(
            f"held-out points: RMSE {stats['heldout_rmse']:.4g}; {stats['heldout_covered']} of {stats['heldout']} "
            f"inside the 95 % band (mean width {stats['heldout_band_width']:.3g})"
        )
    print(f"wrote {len(written)} files to {out}/: " + ", ".join(p.name for p in written))
    return 0
