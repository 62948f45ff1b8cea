"""Refuse WebSocket connections opened by pages of other origins.

Browsers let any page open a WebSocket to any host, sending its own `Origin`; the app's socket
drives the model and writes files, so a page elsewhere (or a name rebound to 127.0.0.1) must not
reach it. The handshake is accepted only when `Origin` is the address the app serves
(`http://host:port`; for a loopback host, any loopback name with that port). A refusal is a
close before accept, which uvicorn answers with HTTP 403.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
App = Callable[[Scope, Callable, Callable], Awaitable[None]]

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def allowed_origins(host: str, port: int) -> frozenset[str]:
    """The origins (scheme://host:port, lower case) whose pages may open the app's socket."""
    hosts = LOOPBACK if host in LOOPBACK else (host,)
    return frozenset(
        f"{scheme}://{f'[{name}]' if ':' in name else name}:{port}" for name in hosts for scheme in ("http", "https")
    )


def origin_allowed(origin: str | None, allowed: frozenset[str]) -> bool:
    """Whether an `Origin` header names one of the allowed origins (a missing one does not)."""
    if not origin:
        return False
    parts = urlsplit(origin.strip().lower())
    default = {"http": 80, "https": 443}.get(parts.scheme)
    try:
        port = parts.port or default
    except ValueError:
        return False
    host = f"[{parts.hostname}]" if parts.hostname and ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}:{port}" in allowed


class OriginGuard:
    """ASGI middleware: WebSocket handshakes from other origins are closed (403); HTTP passes."""

    def __init__(self, app: App, allowed: frozenset[str]) -> None:
        self.app, self.allowed = app, allowed

    async def __call__(self, scope: Scope, receive: Callable, send: Callable) -> None:
        if scope["type"] == "websocket":
            headers = dict(scope.get("headers") or [])
            origin = headers.get(b"origin", b"").decode("latin-1")
            if not origin_allowed(origin, self.allowed):
                await receive()  # websocket.connect
                await send({"type": "websocket.close", "code": 1008})
                return
        await self.app(scope, receive, send)
