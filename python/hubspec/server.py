"""The embedded reference server: every contract endpoint on 127.0.0.1, an ephemeral port."""

from __future__ import annotations

import atexit
import weakref
from typing import Optional

from . import _hubspec

#: The timings `hubspec run` gives the embedded server: short, so the suite is fast
#: (from the settings table, hubspec/protocol/target_settings.hpp).
EMBEDDED_TIMINGS = _hubspec._embedded_timings()

_running: "weakref.WeakSet[Server]" = weakref.WeakSet()


class Server:
    """``with hubspec.Server() as server: ...`` serves /conformance, /conformance-nows,
    /conformance-auth (+ /token), /redirect and /chat until the block ends.

    Timings (keyword arguments, as ``hubspec run`` names them): keepalive_ms,
    client_timeout_ms, handshake_timeout_ms, disconnect_timeout_ms,
    long_poll_timeout_ms, max_message_size, stateful_reconnect_buffer_size;
    the defaults are EMBEDDED_TIMINGS. ``log=True`` prints the server's log to stderr.
    ``tls_cert`` and ``tls_key`` (PEM files, both or neither): it serves https:// only.
    ``redis="HOST:PORT"`` makes it a node of a cluster on that Redis, on ASP.NET Core's
    backplane wire (``redis_channel_prefix``: the nodes' ChannelPrefix); run the scale-out
    scenarios with ``hubspec.run(one, nodes=[two])``.
    """

    def __init__(self, *, log: bool = False, tls_cert: Optional[str] = None, tls_key: Optional[str] = None,
                 redis: Optional[str] = None, redis_channel_prefix: str = "", **timings: int) -> None:
        unknown = set(timings) - set(EMBEDDED_TIMINGS)
        if unknown:
            raise TypeError(f"unknown timing(s): {', '.join(sorted(unknown))}")
        self.timings = {**EMBEDDED_TIMINGS, **timings}
        if (tls_cert is None) != (tls_key is None):
            raise TypeError("tls_cert and tls_key go together")
        redis_host, redis_port = "", 6379
        if redis:
            redis_host, _, port = str(redis).removeprefix("redis://").rpartition(":")
            if not redis_host or not port.isdigit():
                raise ValueError(f"redis wants HOST:PORT, got {redis!r}")
            redis_port = int(port)
        self._server: Optional[_hubspec._Server] = _hubspec._Server(
            self.timings, log=log, tls_cert=str(tls_cert or ""), tls_key=str(tls_key or ""), redis_host=redis_host,
            redis_port=redis_port, redis_channel_prefix=redis_channel_prefix)
        _running.add(self)

    @property
    def origin(self) -> str:
        """http://127.0.0.1:PORT (https:// with tls_cert)"""
        return self._require().origin

    @property
    def url(self) -> str:
        """The conformance hub: http://127.0.0.1:PORT/conformance"""
        return self.origin + "/conformance"

    @property
    def port(self) -> int:
        return self._require().port

    def endpoint(self, name: str) -> str:
        """The URL of a contract endpoint: conformance-nows, conformance-auth, token, redirect, chat."""
        return f"{self.origin}/{name}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def _require(self) -> "_hubspec._Server":
        if self._server is None:
            raise RuntimeError("the server is stopped")
        return self._server

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<hubspec.Server {self.url if self.running else 'stopped'}>"


def server_for(url: str) -> Optional[Server]:
    """The running Server that serves `url`, if one in this process does."""
    for s in list(_running):
        if s.running and (url == s.origin or url.startswith(s.origin + "/")):
            return s
    return None


@atexit.register
def _stop_all() -> None:
    for s in list(_running):
        s.stop()
