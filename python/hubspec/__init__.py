"""hubspec from Python (design §9): the embedded reference server, a SignalR
client, and the conformance engine, over the same C++ as the `hubspec` CLI.

    import hubspec
    with hubspec.Server() as server, hubspec.connect(server.url) as conn:
        conn.invoke("Echo", "hi")                      # 'hi'
    report = hubspec.run()                             # the suite, embedded server
    hubspec.run(client=hubspec.client_agent())         # the client-side suite, a client under test
    report.passed, report.outcomes[0], report.to_json()
"""

from . import errors
from ._hubspec import version as __version__
from .client import Connection, Stream, connect
from .errors import (ConformanceFailure, HubConnectionError, HubError, HubspecError, ScenarioError,
                     TargetUnauthorized, TargetUnreachable, Timeout)
from .report import Cell, Failure, Report, TranscriptEntry, client_agent, compare, load_catalogue, run
from .scenarios import (Scenario, Scenarios, builtin_dir, builtin_scenarios, from_python, from_yaml,
                        load_scenarios, to_yaml)
from .server import EMBEDDED_TIMINGS, Server
from .values import Extension, round_trip

__all__ = [
    "Cell", "ConformanceFailure", "Connection", "EMBEDDED_TIMINGS", "Extension", "Failure", "HubConnectionError",
    "HubError", "HubspecError", "Report", "Scenario", "ScenarioError", "Scenarios", "Server", "Stream",
    "TargetUnauthorized", "TargetUnreachable", "Timeout", "TranscriptEntry", "builtin_dir", "builtin_scenarios", "client_agent",
    "compare", "connect",
    "errors", "from_python", "from_yaml", "load_catalogue", "load_scenarios", "round_trip", "run", "to_yaml",
]
