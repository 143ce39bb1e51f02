"""``claudedex orders``: the order journal of a profile, newest first."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("orders")
    def orders(
        profile: str = typer.Option("devnet", "--profile"),
        open_only: bool = typer.Option(False, "--open", help="Only orders not yet final."),
        limit: int = typer.Option(50, "--limit", min=1),
        as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
        order_id: str = typer.Option("", "--id", help="Show one order's full history."),
    ) -> None:
        """List the order journal (or one order's transitions with --id)."""
        import asyncio

        asyncio.run(_orders(profile, open_only, limit, as_json, order_id))


async def _orders(profile: str, open_only: bool, limit: int, as_json: bool,
                  order_id: str) -> None:
    import json

    from sqlalchemy import select

    from claudedex.config import load_profile
    from claudedex.storage import TERMINAL_STATES, Database, OrderJournal
    from claudedex.storage.models import OrderRow

    prof = load_profile(profile)
    db = Database.for_profile(prof)
    await db.open()
    try:
        if order_id:
            history = await OrderJournal(db).history(order_id)
            if not history:
                from claudedex.errors import UserInputError

                raise UserInputError(f"--id {order_id[:80]!r}: no such order in the journal "
                                     f"of profile {prof.name!r}")
            for e in history:
                row = {"order": e.order_id, "state": e.state, "ts": e.ts.isoformat(),
                       "detail": e.data.get("detail", ""), "tx": _tx(e.data)}
                typer.echo(json.dumps(row) if as_json else
                           f"{row['ts']}  {e.state:<18} {row['tx']:<66}  {row['detail']}")
            return
        stmt = select(OrderRow).order_by(OrderRow.updated_at.desc()).limit(limit)
        if open_only:
            stmt = stmt.where(OrderRow.state.not_in(sorted(TERMINAL_STATES)))
        async with db.session() as session:
            rows = (await session.scalars(stmt)).all()
        for r in rows:
            if as_json:
                typer.echo(json.dumps({"order": r.id, "state": r.state,
                                       "updated_at": r.updated_at.isoformat()}))
            else:
                typer.echo(f"{r.updated_at.isoformat()}  {r.state:<18} {r.id}")
        if not rows and not as_json:
            typer.echo("no orders")
    finally:
        await db.close()


def _tx(data: dict) -> str:  # type: ignore[type-arg]  # journal JSON
    attempts = data.get("attempts") or []
    return str(data.get("mined_hash") or (attempts[-1]["tx_hash"] if attempts else ""))
