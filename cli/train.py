"""`claudedex train`: make devnet data (or read yours), train the ensemble, save it, report."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer


def register(app: typer.Typer) -> None:
    app.command("train")(train)


def train(
    launches: Annotated[int, typer.Option("--launches", help="devnet launches to generate")] = 60,
    data: Annotated[
        Path | None, typer.Option("--data", help="labelled observations (.jsonl) to train on")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="print one JSON line")] = False,
    registry: Annotated[
        Path | None, typer.Option("--registry", help="model registry dir (default: data dir)")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="devnet market and model seed")] = 7,
    leave_out: Annotated[
        str | None, typer.Option("--leave-out", help="scam family kept out of training")
    ] = None,
    profile: Annotated[str, typer.Option("--profile", help="profile whose data dir to use")] = (
        "devnet"
    ),
    list_features: Annotated[
        bool, typer.Option("--list-features", help="print the feature table and exit")
    ] = False,
) -> None:
    """Train XGBoost, LightGBM, RandomForest, IsolationForest and an LSTM, stack and save."""
    if list_features:
        _features(json_out)
        return
    from claudedex.shutdown import exit_on_signals

    # SIGTERM/SIGHUP unwind like Ctrl-C, so the devnet's anvil is stopped on every way out.
    with exit_on_signals():
        _train(launches, data, json_out, registry, seed, leave_out, profile)


def _train(launches: int, data: Path | None, json_out: bool, registry: Path | None, seed: int,
           leave_out: str | None, profile: str) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from claudedex.errors import UserInputError
    from claudedex.ml.train_job import STEPS, JobProgress, run_train
    from claudedex.paths import data_dir

    if data is not None and not data.is_file():
        raise UserInputError(f"--data {data}: no such file")
    if launches <= 0:
        raise UserInputError(f"--launches {launches}: must be positive")
    from claudedex.observability.logging import configure_logging

    if profile.endswith(".toml") or "/" in profile:  # a profile file: its name's data dir
        from claudedex.config import load_profile

        profile = load_profile(profile).name
    home = data_dir(profile)
    reg = registry or home / "models"
    configure_logging(home, console=False)  # logs to the data dir; stdout stays for results
    console = Console(stderr=True, highlight=False)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[note]}", markup=False), console=console,
                  transient=json_out) as bar:  # fmt: skip
        gen = bar.add_task("devnet launches", total=launches, note="") if data is None else None
        fit = bar.add_task("training", total=len(STEPS), note="")

        def on_launch(done: int, total: int) -> None:
            if gen is not None:
                bar.update(gen, completed=done, total=total)

        def on_step(name: str) -> None:
            bar.update(fit, advance=0 if name == STEPS[0] else 1, note=name)

        summary = run_train(data_dir=home, registry_dir=reg, launches=launches, data=data,
                            seed=seed, leave_out=leave_out,
                            progress=JobProgress(on_launch, on_step))
        bar.update(fit, completed=len(STEPS), note="saved")
    if json_out:
        sys.stdout.write(json.dumps(summary, sort_keys=True) + "\n")
        return
    _print(summary)


def _features(json_out: bool) -> None:
    from claudedex.ml.features import FEATURES, feature_set_hash

    if json_out:
        rows = [{"name": f.name, "unit": f.unit, "source": f.source, "doc": f.doc}
                for f in FEATURES]
        sys.stdout.write(json.dumps({"feature_set_hash": feature_set_hash(),
                                     "features": rows}) + "\n")
        return
    typer.echo(f"feature set {feature_set_hash()} ({len(FEATURES)} features)")
    for f in FEATURES:
        typer.echo(f"  {f.name:<32} {f.unit:<6} {f.source:<9} {f.doc}")


def _print(s: dict[str, Any]) -> None:
    t = s["test"]
    lines = [
        f"model {s['version']} saved to {s['path']}",
        f"held-out launches: {t['n']}  AUC {t['auc']}  threshold {s['threshold']}",
        f"precision {t['precision']}  recall {t['recall']}  (tp {t['tp']} fp {t['fp']} "
        f"fn {t['fn']} tn {t['tn']})  pump AUC {t['pump_auc']}",
        "per family:",
    ]
    for fam, row in s["per_family"].items():
        key = "recall" if row["scam"] else "false_positive_rate"
        lines.append(f"  {fam:<20} n={row['n']:<3} {key} {row[key]}")
    if "left_out" in s:
        lo = s["left_out"]
        lines.append(f"left-out family {lo['family']}: n={lo['n']} recall {lo['recall']}")
    typer.echo("\n".join(lines))
