"""run() and its Report: outcomes per cell, transcripts, requirement coverage,
the four report files, and a matrix that renders in Jupyter."""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Sequence, Union

from . import _hubspec
from .errors import ConformanceFailure
from .scenarios import Scenarios, as_scenarios, builtin_dir
from .server import EMBEDDED_TIMINGS, Server

OUTCOMES = ("pass", "fail", "non-strict", "skip", "error")
_COLOURS = {"pass": "#d4edda", "fail": "#f8d7da", "non-strict": "#fff3cd", "skip": "#e2e3e5", "error": "#f5c6cb"}
_MARKS = {"pass": "✓", "fail": "✗", "non-strict": "!", "skip": "–", "error": "E"}


@dataclass(frozen=True)
class Failure:
    """Why a cell did not pass: the step, what was expected, what was seen, the requirement."""

    step: str
    expected: str
    seen: str
    requirement: str
    requirement_text: str
    step_index: int


@dataclass(frozen=True)
class Cell:
    """One scenario at one transport × protocol (both None for a scenario that runs once)."""

    scenario: str
    title: str
    transport: Optional[str]
    protocol: Optional[str]
    outcome: str
    reason: str
    failure: Optional[Failure]
    duration_ms: int
    requires: tuple = ()
    expected_outcome: Optional[str] = None
    fails_run: bool = False
    _index: tuple = field(default=(), repr=False, compare=False)

    @property
    def label(self) -> str:
        if self.transport is None:
            return "-"
        return f"{self.transport}/{self.protocol}"

    @property
    def requirement(self) -> Optional[str]:
        """The requirement this cell's failure charges, else the scenario's first."""
        if self.failure is not None:
            return self.failure.requirement
        return self.requires[0] if self.requires else None


@dataclass(frozen=True)
class TranscriptEntry:
    at_ms: int
    direction: str  # sent, received, note
    actor: str
    kind: str
    text: str
    bytes: bytes


class Report:
    """The result of run(). ``passed`` is what `hubspec run`'s exit code says."""

    def __init__(self, result: "_hubspec._RunResult", scenarios: Scenarios, catalogue: "_hubspec._Catalogue") -> None:
        self._result = result
        self.scenarios = scenarios
        self._catalogue = catalogue
        self.outcomes: list[Cell] = [_cell(c) for c in result.cells()]
        self._coverage: Optional[dict] = None

    # ---- verdicts ----
    @property
    def passed(self) -> bool:
        return self._result.failing_cells() == 0

    @property
    def totals(self) -> dict[str, int]:
        return dict(self._result.totals())

    @property
    def failures(self) -> list[Cell]:
        """Cells that make the run fail (fail, error, non-strict when strict, or not as expected)."""
        return [c for c in self.outcomes if c.fails_run]

    @property
    def wall_time(self) -> float:
        return self._result.wall_time_ms / 1000.0

    @property
    def target(self) -> str:
        return self._result.target_url

    @property
    def profile(self) -> dict:
        """Which part of the conformance hub contract the target has, and how much of the catalogue
        the run checked: name ("contract", "partial", "contract-free", "unknown"), missing_methods,
        missing_endpoints, method_roles, note, requirements_checked / _total / _testable, summary."""
        return dict(self._result.profile())

    def cells(self, scenario: str) -> list[Cell]:
        return [c for c in self.outcomes if c.scenario == scenario]

    def cell(self, scenario: str, transport: Optional[str] = None, protocol: Optional[str] = None) -> Cell:
        """The cell of `scenario` at transport/protocol (either may be left out when only one cell matches)."""
        found = [
            c for c in self.cells(scenario)
            if (transport is None or c.transport == transport) and (protocol is None or c.protocol == protocol)
        ]
        if len(found) != 1:
            raise KeyError(f"{len(found)} cells match {scenario} {transport or '*'}/{protocol or '*'}")
        return found[0]

    def outcome(self, scenario: str, transport: Optional[str] = None, protocol: Optional[str] = None) -> str:
        return self.cell(scenario, transport, protocol).outcome

    def transcript(self, scenario: str, transport: Optional[str] = None,
                   protocol: Optional[str] = None) -> list[TranscriptEntry]:
        """The evidence of one cell: every request, response, frame, event and decoded message."""
        c = self.cell(scenario, transport, protocol)
        return [TranscriptEntry(**e) for e in self._result.transcript(*c._index)]

    def raise_for_failures(self) -> None:
        """Raises ConformanceFailure (with the first failure's requirement ID) unless passed."""
        bad = self.failures
        if bad:
            first = bad[0]
            lines = [f"{c.outcome} {c.scenario} [{c.label}] {c.requirement or ''}: "
                     + (c.failure.seen if c.failure else c.reason) for c in bad]
            raise ConformanceFailure(f"{len(bad)} cells failed\n" + "\n".join(lines), bad, first.requirement)

    # ---- coverage ----
    @property
    def coverage(self) -> dict:
        """Requirement coverage of the scenarios run: scenarios_by_requirement, missing
        (server-side MUST/SHOULD nothing checks and nobody justified), unknown_references,
        complete, text (as `hubspec list --coverage` prints it)."""
        if self._coverage is None:
            self._coverage = _hubspec.coverage(self._catalogue, self.scenarios._loaded)
        return self._coverage

    def requirement(self, requirement_id: str) -> Optional[dict]:
        """The catalogue's entry: id, level, side, text, untestable."""
        return self._catalogue.find(requirement_id)

    # ---- the reports ----
    def to_json(self) -> str:
        """results.json (schema hubspec-results/1)."""
        return self._result.to_json()

    def to_dict(self) -> dict:
        return json.loads(self.to_json())

    def html(self) -> str:
        """index.html: self-contained, the matrix, coverage and every transcript."""
        return self._result.index_html()

    def summary(self) -> str:
        """summary.md"""
        return self._result.summary_markdown()

    def junit(self) -> str:
        return self._result.junit_xml()

    def write(self, directory: Union[str, os.PathLike]) -> Path:
        """Writes results.json, junit.xml, summary.md and index.html into `directory`."""
        path = Path(directory)
        self._result.write(path)
        return path

    # ---- display ----
    def _matrix(self) -> tuple[list[str], list[tuple[str, str, dict[str, Cell]]]]:
        columns: list[str] = []
        rows: dict[str, tuple[str, dict[str, Cell]]] = {}
        for c in self.outcomes:
            if c.label not in columns:
                columns.append(c.label)
            rows.setdefault(c.scenario, (c.title, {}))[1][c.label] = c
        ordered = sorted(columns, key=lambda l: (l == "-", l))
        return ordered, [(sid, title, by) for sid, (title, by) in rows.items()]

    def _repr_html_(self) -> str:
        columns, rows = self._matrix()
        t = self.totals
        head = (f"<p><b>hubspec</b> against <code>{html.escape(self.target)}</code>: "
                + ", ".join(f"{t[o]} {o}" for o in OUTCOMES if t.get(o))
                + f" in {self.wall_time:.1f} s — <b>{'passed' if self.passed else 'FAILED'}</b></p>")
        out = [head, '<table style="border-collapse:collapse;font-size:12px">', "<tr><th style='text-align:left'>scenario</th>"]
        out += [f"<th>{html.escape(c)}</th>" for c in columns]
        out.append("</tr>")
        for sid, title, by in rows:
            out.append(f"<tr><td style='text-align:left' title='{html.escape(title, True)}'><code>{html.escape(sid)}</code></td>")
            for col in columns:
                c = by.get(col)
                if c is None:
                    out.append("<td></td>")
                    continue
                tip = c.outcome + (f" — {c.requirement}: {c.failure.seen}" if c.failure else (f" — {c.reason}" if c.reason else ""))
                out.append(f"<td style='background:{_COLOURS[c.outcome]};text-align:center' "
                           f"title='{html.escape(tip, True)}'>{_MARKS[c.outcome]}</td>")
            out.append("</tr>")
        out.append("</table>")
        bad = [c for c in self.outcomes if c.failure is not None or c.outcome == "error"]
        if bad:
            out.append("<ul>")
            for c in bad:
                detail = (f"{html.escape(c.failure.requirement)}: expected {html.escape(c.failure.expected)}, "
                          f"saw {html.escape(c.failure.seen)}") if c.failure else html.escape(c.reason)
                out.append(f"<li><b>{c.outcome}</b> <code>{html.escape(c.scenario)}</code> [{c.label}] {detail}</li>")
            out.append("</ul>")
        return "".join(out)

    def __repr__(self) -> str:
        t = self.totals
        return (f"<hubspec.Report {self.target}: " + ", ".join(f"{t[o]} {o}" for o in OUTCOMES)
                + f"; {'passed' if self.passed else 'failed'}>")


def _cell(d: Mapping[str, Any]) -> Cell:
    f = d["failure"]
    failure = None if f is None else Failure(
        step=f["step"], expected=f["expected"], seen=f["seen"], requirement=f["requirement"],
        requirement_text=f["requirement_text"], step_index=f["step_index"])
    return Cell(scenario=d["scenario"], title=d["title"], transport=d["transport"], protocol=d["protocol"],
                outcome=d["outcome"], reason=d["reason"], failure=failure, duration_ms=d["duration_ms"],
                requires=tuple(d["requires"]), expected_outcome=d["expected_outcome"], fails_run=d["fails_run"],
                _index=tuple(d["index"]))


def load_catalogue(path: Union[str, os.PathLike, None] = None) -> "_hubspec._Catalogue":
    """The requirement catalogue (default: the project's scenarios/requirements.yaml)."""
    return _hubspec._Catalogue.load_file(str(path if path is not None else builtin_dir() / "requirements.yaml"))


def run(
    target: Union[None, str, Server] = None,
    scenarios: Any = None,
    transports: Optional[Sequence[str]] = None,
    protocols: Optional[Sequence[str]] = None,
    filter: str = "*",
    strict: bool = False,
    timings: Optional[Mapping[str, int]] = None,
    *,
    endpoints: Optional[Mapping[str, str]] = None,
    parallel: int = 4,
    expect: Union[str, os.PathLike, None] = None,
    catalogue: Union[str, os.PathLike, None] = None,
    on_cell: Optional[Callable[[str, Optional[str], Optional[str], str, str], None]] = None,
    methods: Optional[Mapping[str, str]] = None,
    headers: Optional[Mapping[str, str]] = None,
    access_token: Optional[str] = None,
    access_token_command: Optional[str] = None,
    ca_file: Union[str, os.PathLike, None] = None,
    insecure: bool = False,
    nodes: Optional[Sequence[Union[str, Server]]] = None,
    client: Optional[str] = None,
    client_negotiate_version: int = 1,
) -> Report:
    """Runs scenarios against a target, as `hubspec run` does, and returns the Report.

    target: None (an embedded reference server started for the run), a hub URL, or
    a running hubspec.Server (its URL and timings). scenarios: None (the built-in
    suite), Scenarios, a Scenario or dict or a list of them, YAML text, or a path.
    transports / protocols: subsets of websockets, serversentevents, longpolling /
    json, messagepack. timings: the target's (keepalive_ms, client_timeout_ms,
    handshake_timeout_ms, disconnect_timeout_ms, long_poll_timeout_ms,
    max_message_size); embedded targets know their own. expect: an expectations
    file (--expect). on_cell(scenario, transport, protocol, outcome, reason) is
    called as each cell ends. methods: contract roles played by the target's own
    methods, {"echo": "MyEcho"} (`--method echo=MyEcho`). headers, access_token,
    access_token_command: sent with every request and connection (`--header`,
    `--access-token`, `--access-token-command`), redacted from the report. ca_file,
    insecure: how an https:// target's certificate is checked (`--ca-file`,
    `--insecure`; default: the system's CAs). nodes: the same hub on the target's
    other nodes (URLs or Servers) when it is a cluster on one backplane (`--node`):
    the scaleout scenarios run only with one. client: test a client instead of a
    server (`hubspec run --client`): a command that starts it through the client agent
    contract (for hubspec's own, client_agent()); the harness plays its server, and
    scenarios default to the client-side suite (builtin_dir() / "client").
    client_negotiate_version: 0 for clients of the ASP.NET Core 2.x era. Raises
    TargetUnreachable, TargetUnauthorized, ScenarioError, ValueError.
    """
    if client is not None and target is not None:
        raise ValueError("run(): give a target or a client, not both")
    if client is not None and scenarios is None:
        scenarios = builtin_dir() / "client"
    loaded = as_scenarios(scenarios)
    cat = load_catalogue(catalogue)
    if isinstance(target, Server):
        base_timings: dict = dict(target.timings)
        url = target.url
    elif target is None:
        base_timings, url = dict(EMBEDDED_TIMINGS), ""
    else:
        base_timings, url = {}, str(target)
    base_timings.update(timings or {})
    result = _hubspec.run(
        scenarios=loaded._loaded, catalogue=cat, target_url=url, endpoints=dict(endpoints or {}),
        transports=list(transports or []), protocols=list(protocols or []), filter=filter, strict=strict,
        parallel=parallel, timings=base_timings, on_cell=on_cell,
        expect_file=None if expect is None else str(expect), methods=dict(methods or {}),
        headers=list((headers or {}).items()), access_token=access_token or "",
        access_token_command=access_token_command or "",
        ca_file="" if ca_file is None else str(ca_file), insecure=insecure,
        nodes=[n.url if isinstance(n, Server) else str(n) for n in (nodes or [])],
        client_command=client or "", client_negotiate_version=client_negotiate_version)
    return Report(result, loaded, cat)


def client_agent() -> str:
    """The command line of hubspec's reference client behind the client agent contract
    (hubspec-client-agent), for run(client=...); FileNotFoundError when it is not built."""
    path = Path(_hubspec.client_agent_path)
    if not path.is_file():
        raise FileNotFoundError(f"hubspec-client-agent is not built ({path}): cmake --build --preset default")
    return str(path)


def compare(reports: Sequence[Report], format: str = "html") -> str:
    """The peer matrix of several runs side by side: "html" (a document) or "markdown"."""
    runs = [r._result for r in reports]
    return _hubspec.comparison_html(runs) if format == "html" else _hubspec.comparison_markdown(runs)
