"""`adoptsim calibrate FILE`: optimise, estimate the posterior, write the fit and the forecast;
with `--leave-out MARKET`, fit the other markets and predict that one from its context alone.

Output folder:
    calibration.json   what is calibrated (a resumed calibration must match it)
    study.journal, trials.csv the Optuna study (an append-only journal) and its trials
    abc.db, posterior.csv     the ABC-SMC history and the last generation's weighted particles
    calibrated.yaml    the fitted scenario, whole (calibrated-<market>.yaml per market)
    fit.csv, parameters.csv, forecast.csv, fit.png, forecast.png
    prediction.csv, prediction.png   with --leave-out
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from adoptsim.cli.arguments import add_allow_large, non_negative_number, positive_int
from adoptsim.cli.stopping import Terminated, stopped
from adoptsim.errors import AdoptsimError

if TYPE_CHECKING:
    from adoptsim.studies.calibration.loading import LoadedCalibration

MARKER = "calibration.json"


def prepare_output(loaded: LoadedCalibration, out: Path, resume: bool, leave_out: str | None = None) -> None:
    """Refuse to mix calibrations in one folder; record what this one is."""
    from adoptsim.results.store import write_text

    marker = out / MARKER
    fingerprint = loaded.fingerprint() + (f"|leave-out:{leave_out}" if leave_out else "")
    if marker.exists():
        if not resume:
            raise AdoptsimError(
                f"--out {out}: holds a calibration already; add --resume to continue it, or choose another --out"
            )
        before = json.loads(marker.read_text())["fingerprint"]
        if before != fingerprint:
            raise AdoptsimError(
                f"--out {out}: holds a different calibration ({'; '.join(changes(before, fingerprint))}); "
                "choose another --out for this one (the folder's own calibration is left as it is)"
            )
        return
    write_text(marker, json.dumps({"name": loaded.spec.name, "fingerprint": fingerprint}, indent=1))


def changes(before: str, now: str, shown: int = 4) -> list[str]:
    """What differs between two fingerprints (LoadedCalibration.fingerprint, with the --leave-out
        suffix), as the fields a user edits: the calibration file's, each market's scenario's, the
        observations, --leave-out; the first `shown` differing fields by their dotted path (as
    `adoptsim diff` names them)."""
    from adoptsim.cli.diff import differences

    (old, old_leave), (new, new_leave) = (text.partition("|leave-out:")[::2] for text in (before, now))
    if old_leave != new_leave:
        return [f"--leave-out was {old_leave or 'not given'}, now {new_leave or 'not given'}"]
    old, new = json.loads(old), json.loads(new)
    found = []
    found += [f"the calibration file's {d.path}" for d in differences(old["calibration"], new["calibration"])]
    for i, (a, b) in enumerate(zip(old["bases"], new["bases"], strict=False)):
        where = f"the scenario of market {b.get('name', i)}" if len(new["bases"]) > 1 else "its scenario"
        found += [f"{where}: {d.path}" for d in differences(a, b)]
    if old["observations"] != new["observations"]:
        found.append("the observed data")
    if len(found) > shown:
        found = [*found[:shown], f"{len(found) - shown} more"]
    return [", ".join(found) + " changed"] if found else ["the file, its scenario or data changed"]


def calibration_runs(spec, trials: int | None = None, markets: int = 1) -> int:
    """Runs of a calibration: trials, the ABC-SMC generations, the ensemble (each x replications x markets)."""
    posterior = spec.method.posterior
    abc = posterior.population * posterior.generations + posterior.draws if posterior.enabled else 0
    return ((trials or spec.method.trials) + abc + 1) * spec.replications * markets


def arguments(parser: argparse.ArgumentParser) -> None:
    """`adoptsim calibrate FILE`'s options."""
    parser.add_argument("file", help="calibration YAML file (see docs/calibration.md)")
    parser.add_argument("--out", help="output folder (default results/calibrate-<name>/)")
    parser.add_argument("--workers", type=positive_int, help="local processes (default: all cores)")
    parser.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    parser.add_argument("--resume", action="store_true", help="continue the study already in --out")
    parser.add_argument("--trials", type=positive_int, help="optimiser trials (default: the file's method.trials)")
    parser.add_argument(
        "--horizon", type=non_negative_number, default=3.0, help="forecast years past the data (default 3; 0: none)"
    )
    parser.add_argument("--leave-out", metavar="MARKET", help="fit the others, predict this market (prediction.csv)")
    add_allow_large(parser)


def command(args: argparse.Namespace) -> int:
    """`adoptsim calibrate FILE`: search, posterior, ensemble, then the tables and figures. The
    folder is locked for the whole command (adoptsim/results/folders.py), so a second calibrate
    or resume on it is refused in one line."""
    from adoptsim.cli.common import check_study_budget, note_nothing_to_resume, open_output
    from adoptsim.studies.calibration.loading import load_calibration
    from adoptsim.studies.calibration.transfer import others
    from adoptsim.studies.storage import has_study

    loaded = load_calibration(args.file)
    leave_out = args.leave_out
    fitted = others(loaded, leave_out) if leave_out else loaded
    name = loaded.spec.name + (f"-without-{leave_out}" if leave_out else "")
    check_study_budget(args, args.file, calibration_runs(loaded.spec, args.trials, len(loaded.parts)), loaded.base)
    target = Path(args.out) if args.out else Path("results") / f"calibrate-{name}"
    had_study = has_study(target)
    folder = open_output(
        args,
        target,
        "calibrate",
        resume=args.resume,
        resumable=True,
        owns=(MARKER,),
        keep=lambda: has_study(target),
    )
    note_nothing_to_resume(args, target, had_study)  # once the folder is ours (locked)
    prepare_output(loaded, folder.path, args.resume and folder.in_place, leave_out)
    return _calibrate(args, loaded, fitted, leave_out, folder)


def print_parameters(table, best: dict[str, float]) -> None:
    """Best values with their interval as a share of the prior range, and the warnings."""
    from adoptsim.studies.calibration.observations import calendar_date
    from adoptsim.studies.calibration.spec import LAUNCH

    for row in table.itertuples():
        if row.parameter not in best:  # a left-out market's own: fitted nowhere (print_prediction)
            continue
        shown = (
            f"{calendar_date(best[row.parameter]).date()} ({best[row.parameter]:.3f})"
            if row.parameter == LAUNCH
            else (f"{best[row.parameter]:.4g}")
        )
        interval = ""
        if row.interval != "none":
            interval = f"  [{row.lower:.4g}, {row.upper:.4g}], {row.interval_share:.0%} of the prior range"
        print(f"  {row.parameter} = {shown}{interval}")
        if row.warning:
            print(f"    warning: {row.warning}")


def _calibrate(
    args: argparse.Namespace, loaded: LoadedCalibration, fitted: LoadedCalibration, leave_out: str | None, folder
) -> int:
    """The calibration itself, in `folder` (an OutputFolder: its path, in place or staged)."""
    from adoptsim.cli.common import executor_for, naming_files, say
    from adoptsim.figures.calibration import fit_figure, forecast_figure, prediction_figure
    from adoptsim.results.store import write_csv, write_figure, write_text
    from adoptsim.studies.calibration.objective import Problem
    from adoptsim.studies.calibration.outputs import (
        band_warning,
        calibrated_yaml,
        curve_copy,
        fit_table,
        forecast_table,
        parameters_table,
        run_ensemble,
        statistics,
        unit,
    )
    from adoptsim.studies.calibration.posterior import POSTERIOR_FILE, draw, run_posterior
    from adoptsim.studies.calibration.search import completed, open_study, search
    from adoptsim.studies.calibration.transfer import predict, uninformed, with_prediction
    from adoptsim.studies.storage import study_path
    from adoptsim.world.streams import replication_seed

    out = folder.path
    spec = loaded.spec
    trials = args.trials or spec.method.trials
    problem = Problem(fitted)
    count = int((~fitted.observations["heldout"]).sum())
    markets = f" on {', '.join(p.name for p in fitted.parts)}" if fitted.several else ""
    print(
        f"{spec.name}{markets}: {len(problem.names)} parameters ({', '.join(problem.names)}), {count} fitted and "
        f"{spec.holdout * len(fitted.parts)} held-out observations, {trials} trials x {spec.replications} "
        f"replications ({spec.method.optimizer})"
    )
    study = open_study(problem, out)
    clock = [time.perf_counter()]  # the search's start, then each phase's end
    named = naming_files({part.base["name"]: f"{args.file} ({part.file.name})" for part in fitted.parts})
    try:
        with executor_for(args.workers, args.scheduler, pool_from=1) as executor, named:
            ran = search(problem, study, executor, trials, progress=True)
            clock.append(time.perf_counter())
            best = dict(study.best_params)
            particles = None
            if spec.method.posterior.enabled:
                posterior = spec.method.posterior
                until = "" if posterior.tolerance is None else f", or to RMS error a point {posterior.tolerance:g}"
                print(
                    f"posterior: ABC-SMC, up to {posterior.generations} generations of {posterior.population} "
                    f"particles, at most {posterior.max_simulations} simulations (counting pyabc's sample from the "
                    f"prior; checked after each generation){until}; up to {posterior.blocks} particles a worker "
                    "simulated at once, as blocks of one model (the same posterior for any number)",
                    flush=True,
                )
                particles = run_posterior(problem, out, executor)
            clock.append(time.perf_counter())
            seed = replication_seed(loaded.seed, 1)
            draws = [] if particles is None else draw(particles, problem.names, spec.method.posterior.draws, seed)
            ensemble = run_ensemble(problem, best, draws, executor, args.horizon)
            blind = uninformed(loaded, problem, leave_out, best, executor) if leave_out else []
            prediction = predict(loaded, problem, leave_out, best, draws, executor, blind) if leave_out else None
            clock.append(time.perf_counter())
    except (KeyboardInterrupt, Terminated) as stop:
        code, word = stopped(stop)
        print(
            f"{word}: {completed(study)} trials saved in {study_path(out)}; run again with --resume"
            if folder.in_place
            else f"{word}: the earlier calibration is unchanged",
            file=sys.stderr,
        )
        return code
    fit = fit_table(problem, ensemble)
    forecast = forecast_table(problem, ensemble)
    parameters = parameters_table(problem, best, particles, blind)
    if prediction is not None:
        parameters = with_prediction(parameters, prediction[1]["used"], problem, leave_out)
    written = [
        write_csv(out / "trials.csv", study.trials_dataframe()),
        write_csv(out / "fit.csv", fit),
        write_csv(out / "forecast.csv", forecast),
        write_csv(out / "parameters.csv", parameters),
        write_figure(out / "fit.png", fit_figure(problem, fit, forecast, best)),
        write_figure(out / "forecast.png", forecast_figure(problem, fit, forecast, best)),
    ]
    for part in problem.parts:
        file = f"calibrated-{part.name}.yaml" if part.name else "calibrated.yaml"
        written.append(write_text(out / file, calibrated_yaml(problem, part, best, ensemble.extra_steps, args.file)))
        copy = curve_copy(part)
        if copy is not None:  # the curve calibrated.yaml names, beside it
            written.append(write_text(out / copy, part.curve.read_text(encoding="utf-8")))
    if particles is not None:
        written.append(write_csv(out / POSTERIOR_FILE, particles))
    if prediction is not None:
        table, stats = prediction
        written.append(write_csv(out / "prediction.csv", table))
        left = next(part for part in loaded.parts if part.name == leave_out)
        written.append(write_figure(out / "prediction.png", prediction_figure(table, leave_out, stats, left)))
    folder.done()
    clock.append(time.perf_counter())
    search_s, posterior_s, ensemble_s, files_s = (b - a for a, b in pairwise(clock))
    print(
        f"ran {ran} trials ({completed(study)} in the study) in {search_s:.1f} s; best objective {study.best_value:.4g}"
    )
    print(
        f"took {clock[-1] - clock[0]:.1f} s from the search's start to the files written: search {search_s:.1f} s, "
        f"posterior {posterior_s:.1f} s, ensemble{' and prediction' if leave_out else ''} {ensemble_s:.1f} s, "
        f"tables and figures {files_s:.1f} s (loading and checking the files before it not counted)"
    )
    print_parameters(parameters, best)
    for part in problem.parts:
        stats = statistics(fit, part.name)
        label = f"{part.name}: " if part.name else ""
        print(
            f"{label}fitted points: R^2 {stats['r2']:.3f}, RMSE {stats['rmse']:.4g} ({unit(part)}), "
            f"{stats['covered']} of {stats['points']} inside the 95 % band"
        )
        if stats["heldout"]:
            print(
                f"{label}held-out points: RMSE {stats['heldout_rmse']:.4g} ({unit(part)}); {stats['heldout_covered']} "
                f"of {stats['heldout']} inside the 95 % band (mean width {stats['heldout_band_width']:.3g})"
            )
        warning = band_warning(fit, forecast, part)
        if warning:
            print(warning)
    if prediction is not None:
        told = prediction[1]
        fitted_names = ", ".join(part.name for part in problem.parts)
        for name in told["from_prior"]:
            print(
                f"{name}: {fitted_names} do not inform it (their points are the same at both ends of its prior) but "
                f"{leave_out} depends on it: the prediction does not use its fitted best"
            )
        print(f"{leave_out}'s prediction used (parameters.csv's prediction and prediction_source):")
        for row in told["used"].itertuples():
            value = "" if row.prediction != row.prediction else f" = {row.prediction:.4g}"  # NaN: not used
            print(f"  {row.parameter}{value}: {row.prediction_source}")
        print(
            f"{leave_out} (left out, predicted from its context): R^2 {told['r2']:.3f}, RMSE {told['rmse']:.4g} "
            f"({unit(left)}), {told['covered']} of {told['points']} inside the 95 % band"
        )
    return say(f"wrote {len(written)} files to {folder.shown}/: " + ", ".join(p.name for p in written))
