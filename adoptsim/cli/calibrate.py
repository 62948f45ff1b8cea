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
from typing import TYPE_CHECKING

from adoptsim.cli.arguments import add_allow_large, positive_int, positive_number
from adoptsim.errors import AdoptsimError

if TYPE_CHECKING:
    from adoptsim.studies.calibration.spec import LoadedCalibration

MARKER = "calibration.json"


def prepare_output(loaded: LoadedCalibration, out: Path, resume: bool) -> None:
    """Refuse to mix calibrations in one folder; record what this one is."""
    from adoptsim.results.store import write_text

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


def calibration_runs(spec, trials: int | None = None) -> int:
    """Runs of a calibration: trials, the ABC-SMC generations, the ensemble (each x replications)."""
    posterior = spec.method.posterior
    abc = posterior.population * posterior.generations + posterior.draws if posterior.enabled else 0
    return ((trials or spec.method.trials) + abc + 1) * spec.replications


def arguments(parser: argparse.ArgumentParser) -> None:
    """`adoptsim calibrate FILE`'s options."""
    parser.add_argument("file", help="calibration YAML file (see docs/calibration.md)")
    parser.add_argument("--out", help="output folder (default results/calibrate-<name>/)")
    parser.add_argument("--workers", type=positive_int, help="local processes (default: all cores)")
    parser.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    parser.add_argument("--resume", action="store_true", help="continue the study already in --out")
    parser.add_argument("--trials", type=positive_int, help="optimiser trials (default: the file's method.trials)")
    add_allow_large(parser)
    parser.add_argument("--horizon", type=positive_number, default=3.0, help="forecast years past the data (default 3)")


def command(args: argparse.Namespace) -> int:
    """`adoptsim calibrate FILE`: search, posterior, ensemble, then the tables and figures."""
    from adoptsim.cli.common import check_study_budget, executor_for, naming_files, open_output, say
    from adoptsim.figures.calibration import fit_figure, forecast_figure
    from adoptsim.results.store import write_csv, write_figure, write_text
    from adoptsim.studies.calibration.objective import Problem
    from adoptsim.studies.calibration.observations import date_of
    from adoptsim.studies.calibration.outputs import (
        calibrated_yaml,
        fit_table,
        forecast_table,
        parameters_table,
        run_ensemble,
        statistics,
    )
    from adoptsim.studies.calibration.posterior import POSTERIOR_FILE, draw, run_posterior
    from adoptsim.studies.calibration.search import STUDY_FILE, completed, open_study, search
    from adoptsim.studies.calibration.spec import LAUNCH, load_calibration
    from adoptsim.studies.sweep import terminate_gracefully
    from adoptsim.world.streams import replication_seed

    loaded = load_calibration(args.file)
    spec = loaded.spec
    check_study_budget(args, args.file, calibration_runs(spec, args.trials), loaded.base)
    target = Path(args.out) if args.out else Path("results") / f"calibrate-{spec.name}"
    folder = open_output(
        args, target, "calibrate", resume=args.resume, resumable=True, owns=(MARKER,),
        keep=lambda: (target / STUDY_FILE).exists(),
    )
    out = folder.path
    prepare_output(loaded, out, args.resume and folder.in_place)
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
            f"interrupted: {completed(study)} trials saved in {out / STUDY_FILE}; run again with --resume"
            if folder.in_place
            else f"interrupted: the earlier calibration in {target}/ is unchanged",
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
        write_text(out / "calibrated.yaml", calibrated_yaml(problem, best, ensemble.steps, target, args.file)),
        write_figure(out / "fit.png", fit_figure(problem, fit, forecast, best)),
        write_figure(out / "forecast.png", forecast_figure(problem, fit, forecast, best)),
    ]
    if particles is not None:
        written.append(write_csv(out / POSTERIOR_FILE, particles))
    elapsed = time.perf_counter() - started
    folder.done()
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
    return say(f"wrote {len(written)} files to {target}/: " + ", ".join(p.name for p in written))
