"""``claudedex halt`` / ``claudedex resume``: the emergency stop as a persisted flag.

Why a file write and not a message to a running engine: the stop must work when the engine
is wedged or not running at all; the guarded signer reads the same persisted flag. The
change is audited: by the running engine when one sees the file change, else here.
"""

from __future__ import annotations

import typer


def _switch(profile: str):  # type: ignore[no-untyped-def]  # heavy imports stay lazy
    from claudedex.config import load_profile
    from claudedex.halt import HaltSwitch
    from claudedex.paths import data_dir

    prof = load_profile(profile, resolve_secrets=False)  # a stop never waits for a passphrase
    return prof, HaltSwitch(data_dir(prof.name) / "halt.json")


def _audit(prof: object, action: str, detail: dict[str, str]) -> None:
    """Audit with no engine up; a failure is said on stderr, never undoes the stop."""
    import asyncio

    from claudedex.config import Profile
    from claudedex.control.offline import audit_offline
    from claudedex.errors import ClaudeDexError
    from claudedex.paths import data_dir

    assert isinstance(prof, Profile)
    try:
        asyncio.run(audit_offline(prof, data_dir(prof.name), "cli", action, detail))
    except (ClaudeDexError, OSError) as exc:
        typer.echo(f"warning: {action} not audited: {exc}", err=True)


def register(app: typer.Typer) -> None:
    @app.command("halt")
    def halt(
        profile: str = typer.Option("devnet", "--profile", help="Profile to stop."),
        reason: str = typer.Option("operator emergency stop (cli)", "--reason"),
    ) -> None:
        """Emergency stop: persist HALTED for a profile; nothing is signed until resumed."""
        prof, switch = _switch(profile)
        state = switch.set(True, reason, "cli")
        typer.echo(f"HALTED profile {prof.name}: {state.reason}")
        _audit(prof, "halt", {"reason": state.reason, "by": "cli"})

    @app.command("resume")
    def resume(
        profile: str = typer.Option("devnet", "--profile", help="Profile to resume."),
        yes: bool = typer.Option(False, "--yes", help="Skip the typed confirmation."),
    ) -> None:
        """Lift the emergency stop for a profile (asks you to type a confirmation)."""
        from claudedex.errors import UserInputError

        prof, switch = _switch(profile)
        if not switch.is_halted():
            typer.echo(f"profile {prof.name} is not halted")
            return
        if not yes:
            expected = f"RESUME {prof.name}"
            typed = typer.prompt(f"Halted: {switch.state.reason!r}. Type '{expected}' to resume")
            if typed.strip() != expected:
                raise UserInputError(f"confirmation did not match '{expected}'; still halted")
        switch.set(False, "", "cli")
        typer.echo(f"RESUMED profile {prof.name}")
        _audit(prof, "resume", {"by": "cli"})
