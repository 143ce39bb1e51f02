"""The API's routes as one table, and the OpenAPI 3 description made from it.

Why one table: the server registers exactly these routes and :func:`openapi` describes
exactly these, so the description cannot drift from what is served. Each route names the
role action it needs (:mod:`claudedex.api.roles`), the control command it runs, and the
typed fields its JSON body may hold (anything else is refused with 400).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STRING, INTEGER, BOOLEAN = "string", "integer", "boolean"


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str
    action: str  # what the caller's role must allow
    command: str  # the control command it runs ("" : served by the API itself)
    summary: str
    query: tuple[str, ...] = ()
    body: dict[str, str] = field(default_factory=dict)  # field -> JSON type
    required: tuple[str, ...] = ()

    @property
    def path_params(self) -> list[str]:
        return [part[1:-1] for part in self.path.split("/") if part.startswith("{")]


ROUTES: tuple[Route, ...] = (
    Route("GET", "/status", "status", "status", "Engine status: mode, halt, components"),
    Route("GET", "/pairs", "pairs", "pairs", "Pairs seen, newest first, with verdicts",
          query=("limit",)),
    Route("GET", "/reports", "reports", "reports", "Latest safety reports", query=("limit",)),
    Route("GET", "/reports/{token}", "reports", "reports",
          "One token's safety report with every finding"),
    Route("GET", "/proposals", "proposals", "pending", "Proposals waiting for a decision"),
    Route("GET", "/positions", "positions", "positions", "Open positions (base units)"),
    Route("GET", "/orders", "orders", "orders", "Journaled orders, newest first",
          query=("limit", "open")),
    Route("GET", "/balances", "balances", "balances", "The signing account's balances (wei)"),
    Route("GET", "/metrics/summary", "metrics", "metrics",
          "P&L, fills, verdicts and order states in one object"),
    Route("GET", "/audit", "audit", "audit", "Audit log entries after an id",
          query=("after_id", "limit")),
    Route("GET", "/audit/verify", "audit_verify", "audit_verify",
          "Verify the keyed audit chain and its anchor"),
    Route("POST", "/proposals/{proposal_id}/approve", "approve", "approve",
          "Approve a pending proposal"),
    Route("POST", "/proposals/{proposal_id}/reject", "reject", "reject",
          "Reject a pending proposal", body={"reason": STRING}),
    Route("POST", "/proposals/{proposal_id}/override", "override", "override",
          "Change a pending proposal's size or slippage, or accept a risky verdict",
          body={"amount_in": STRING, "slippage_bps": INTEGER, "accept_risky": BOOLEAN,
                "confirmation": STRING}),
    Route("POST", "/trade", "trade", "trade", "A manual buy or sell through the gate",
          body={"side": STRING, "token": STRING, "amount": STRING, "slippage_bps": INTEGER,
                "override": STRING, "dry_run": BOOLEAN},
          required=("side", "token", "amount")),
    Route("POST", "/positions/{token}/close", "close", "close",
          "Sell all of a position through the gate", body={"slippage_bps": INTEGER}),
    Route("POST", "/halt", "halt", "halt", "Emergency stop: nothing is signed until resumed",
          body={"reason": STRING}),
    Route("POST", "/resume", "resume", "resume", "Lift the emergency stop",
          body={"confirm": BOOLEAN}, required=("confirm",)),
    Route("POST", "/tokens", "token", "", "Issue a token (admin)",
          body={"role": STRING, "ttl_s": INTEGER}, required=("role", "ttl_s")),
)

OPENAPI_PATH = "/openapi.json"

_ERRORS = {
    "400": "Bad input (the error says which field)",
    "401": "No token, or an invalid, expired or revoked one",
    "403": "The token's role may not do this",
    "404": "No such proposal or report",
    "409": "Refused by the engine (halted, a limit, a scam verdict)",
    "429": "Too many requests for this token (see Retry-After)",
    "503": "The engine is not running",
}


def _operation(route: Route) -> dict[str, Any]:
    params: list[dict[str, Any]] = [
        {"name": p, "in": "path", "required": True, "schema": {"type": STRING}}
        for p in route.path_params]
    params += [{"name": q, "in": "query", "required": False, "schema": {"type": STRING}}
               for q in route.query]
    op: dict[str, Any] = {
        "operationId": f"{route.method.lower()}_{route.action}_{len(route.path_params)}",
        "summary": route.summary,
        "security": [{"bearer": []}],
        "responses": {"200": {"description": "OK", "content": {"application/json": {
            "schema": {"type": "object", "properties": {"result": {}}}}}},
            **{code: {"description": text} for code, text in _ERRORS.items()}},
        "x-claudedex-action": route.action,
    }
    if params:
        op["parameters"] = params
    if route.method == "POST":
        schema: dict[str, Any] = {
            "type": "object", "additionalProperties": False,
            "properties": {name: {"type": kind} for name, kind in route.body.items()}}
        if route.required:
            schema["required"] = list(route.required)
        op["requestBody"] = {"required": bool(route.required),
                             "content": {"application/json": {"schema": schema}}}
    return op


def openapi(title: str = "ClaudeDex control API", version: str = "1") -> dict[str, Any]:
    """The OpenAPI 3.1 description of :data:`ROUTES` (and of itself)."""
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    paths[OPENAPI_PATH] = {"get": {"operationId": "get_openapi", "security": [],
                                   "summary": "This description",
                                   "responses": {"200": {"description": "OpenAPI 3"}}}}
    return {"openapi": "3.1.0", "info": {"title": title, "version": version},
            "components": {"securitySchemes": {"bearer": {
                "type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
            "paths": paths}
