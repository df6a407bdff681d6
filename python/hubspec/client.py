"""A SignalR client (the reference client): ``connect(url)`` and a Connection.

Calls block with the GIL released; handlers and the on_close/on_reconnecting/
on_reconnected callbacks run on the connection's dispatcher thread. As in
Microsoft's clients, a handler must not block on a call's result."""

from __future__ import annotations

import atexit
import weakref
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional, Sequence, Union

from . import _hubspec
from .server import server_for

_open: "weakref.WeakSet[Connection]" = weakref.WeakSet()


class Stream:
    """A server-to-client stream: iterate for its items; ``cancel()`` stops it (CancelInvocation)."""

    def __init__(self, stream: "_hubspec._Stream", timeout: Optional[float]) -> None:
        self._stream = stream
        self._timeout = timeout

    def __iter__(self) -> "Stream":
        return self

    def __next__(self) -> Any:
        return self._stream.next(self._timeout)

    def cancel(self) -> None:
        self._stream.cancel()


class Connection:
    """An open hub connection; use ``hubspec.connect(...)``. A context manager that stops on exit."""

    def __init__(self, connection: "_hubspec._Connection", timeout: Optional[float]) -> None:
        self._c = connection
        self.timeout = timeout
        _open.add(self)

    def invoke(self, method: str, *args: Any, timeout: Optional[float] = None) -> Any:
        """Calls `method` and returns its result; raises HubError with the server's message."""
        return self._c.invoke(method, list(args), timeout if timeout is not None else self.timeout)

    def send(self, method: str, *args: Any, timeout: Optional[float] = None) -> None:
        """Invokes without waiting for a result (no invocation ID)."""
        self._c.send(method, list(args), timeout if timeout is not None else self.timeout)

    def stream(self, method: str, *args: Any, timeout: Optional[float] = None) -> Stream:
        """A server-to-client stream; each item waits at most `timeout` seconds."""
        return Stream(self._c.stream(method, list(args)), timeout if timeout is not None else self.timeout)

    def upload(self, method: str, items: Iterable[Any], *args: Any, timeout: Optional[float] = None) -> Any:
        """Invokes `method` with `args` and a client-to-server stream of `items`; returns its result."""
        return self._c.upload(method, items, list(args), timeout if timeout is not None else self.timeout)

    def on(self, method: str, callback: Optional[Callable[..., Any]] = None) -> Any:
        """Registers a handler for server-to-client calls of `method` (arguments as
        positional parameters); what it returns is the client result (None: nothing).
        Usable as a decorator: ``@conn.on("Receive")``. Returns the handler's id."""
        if callback is None:
            def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
                self._c.on(method, f)
                return f
            return decorate
        return self._c.on(method, callback)

    def off(self, method: str, handler_id: Optional[int] = None) -> None:
        self._c.off(method, handler_id)

    def stop(self, timeout: Optional[float] = 10.0) -> None:
        self._c.stop(timeout)
        self._c.close()

    @property
    def state(self) -> str:
        """Connected, Reconnecting, Disconnected, ... (HubConnectionState's names)."""
        return self._c.state

    @property
    def connection_id(self) -> Optional[str]:
        return self._c.connection_id

    on_close = property(lambda self: self._c.on_close, lambda self, f: setattr(self._c, "on_close", f),
                        doc="callback(error: str | None) when the connection closes for good")
    on_reconnecting = property(lambda self: self._c.on_reconnecting,
                               lambda self, f: setattr(self._c, "on_reconnecting", f),
                               doc="callback(error: str | None) when automatic reconnect starts")
    on_reconnected = property(lambda self: self._c.on_reconnected,
                              lambda self, f: setattr(self._c, "on_reconnected", f),
                              doc="callback(connection_id: str | None) when it reconnected")

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<hubspec.Connection {self.state}>"


def connect(
    url: str,
    transport: Union[str, Sequence[str], None] = "websockets",
    protocol: str = "json",
    *,
    headers: Optional[Mapping[str, str]] = None,
    access_token: Union[str, Callable[[], str], None] = None,
    reconnect: Union[bool, Sequence[int], None] = None,
    skip_negotiation: bool = False,
    keepalive_ms: Optional[int] = None,
    server_timeout_ms: Optional[int] = None,
    handshake_timeout_ms: Optional[int] = None,
    timeout: Optional[float] = 30.0,
) -> Connection:
    """Starts a connection and returns it once the handshake is done.

    transport: "websockets", "serversentevents", "longpolling", a list of them
    (the client falls back in the server's order), or None for any.
    protocol: "json" or "messagepack". reconnect: True (0, 2, 10, 30 s) or a list
    of delays in ms. access_token: a string or a callable asked before each connect.
    timeout: seconds for start and for each call (None: wait forever).
    Against a hubspec.Server of this process, keep-alive pings default to a
    quarter of its client timeout, so its short timings never drop an idle client.
    """
    transports = [] if transport is None else [transport] if isinstance(transport, str) else list(transport)
    if keepalive_ms is None:
        embedded = server_for(url)
        if embedded is not None:
            keepalive_ms = min(15_000, max(100, embedded.timings["client_timeout_ms"] // 4))
    c = _hubspec._Connection(
        url=url,
        transports=transports,
        protocol=protocol,
        skip_negotiation=skip_negotiation,
        headers=dict(headers or {}),
        access_token=access_token,
        reconnect=reconnect,
        keepalive_ms=keepalive_ms,
        server_timeout_ms=server_timeout_ms,
        handshake_timeout_ms=handshake_timeout_ms,
        timeout=timeout,
    )
    return Connection(c, timeout)


@atexit.register
def _close_all() -> None:
    for c in list(_open):
        try:
            c._c.close()
        except Exception:
            pass
