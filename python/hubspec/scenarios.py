"""Scenarios, from Python or YAML, in the step vocabulary of scenarios/README.md.

A scenario written in Python is a dict with the keys of a YAML scenario (or a
:class:`Scenario`); its steps are one-key dicts ``{"invoke": {...}}``. It is
written out as YAML and loaded by the same loader as ``scenarios/*.yaml``, so
both are checked and run identically.
"""

from __future__ import annotations

import base64
import json
import math
import os
import re
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Optional, Sequence, Union

from . import _hubspec
from .errors import ScenarioError

_SCENARIO_KEYS = ("id", "title", "requires", "methods", "endpoints", "transports", "protocols", "once", "steps")
_PACKAGE_SCENARIOS = Path(__file__).resolve().parent / "scenarios"


class Scenario:
    """One scenario: ``Scenario("my.echo", "Echo answers", ["MSG-010"], steps=[{"connect": {}}, ...])``.

    ``step(action, **params)`` appends a step and returns the scenario, to chain."""

    def __init__(
        self,
        id: str,
        title: str,
        requires: Union[str, Sequence[str]],
        steps: Optional[Sequence[Mapping[str, Any]]] = None,
        *,
        methods: Sequence[str] = (),
        endpoints: Sequence[str] = (),
        transports: Sequence[str] = (),
        protocols: Sequence[str] = (),
        once: bool = False,
    ) -> None:
        self.id = id
        self.title = title
        self.requires = [requires] if isinstance(requires, str) else list(requires)
        self.steps = [dict(s) for s in (steps or [])]
        self.methods = list(methods)
        self.endpoints = list(endpoints)
        self.transports = list(transports)
        self.protocols = list(protocols)
        self.once = once

    def step(self, action: str, **params: Any) -> "Scenario":
        self.steps.append({action: params})
        return self

    def to_dict(self) -> dict:
        d: dict = {"id": self.id, "title": self.title, "requires": self.requires}
        for key in ("methods", "endpoints", "transports", "protocols"):
            if getattr(self, key):
                d[key] = getattr(self, key)
        if self.once:
            d["once"] = True
        d["steps"] = self.steps
        return d

    def to_yaml(self) -> str:
        return to_yaml([self])

    def __repr__(self) -> str:
        return f"Scenario({self.id!r}, {len(self.steps)} steps)"


ScenarioLike = Union[Scenario, Mapping[str, Any]]


def _flow(value: Any) -> str:
    """One value as YAML flow text: JSON, plus !binary for bytes and .inf/.nan for floats."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value)
        return text if any(c in text for c in ".eE") else text + ".0"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "!binary " + json.dumps(base64.b64encode(bytes(value)).decode("ascii"))
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{json.dumps(str(k))}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    raise TypeError(f"a scenario cannot hold a {type(value).__name__}: {value!r}")


def _as_dict(item: ScenarioLike) -> Mapping[str, Any]:
    if isinstance(item, Scenario):
        return item.to_dict()
    if isinstance(item, Mapping):
        return item
    raise TypeError(f"a scenario is a dict or a hubspec.Scenario, not a {type(item).__name__}")


def _to_yaml_lines(items: Sequence[ScenarioLike]) -> tuple[str, dict[int, tuple[str, Optional[int]]]]:
    """YAML text and, per line (1-based), the scenario id and step index it holds."""
    lines: list[str] = []
    where: dict[int, tuple[str, Optional[int]]] = {}
    for item in items:
        d = _as_dict(item)
        sid = str(d.get("id", f"#{len(where)}"))
        first = True
        for key, value in d.items():
            prefix = "- " if first else "  "
            first = False
            if key == "steps" and isinstance(value, (list, tuple)) and value:
                lines.append(f"{prefix}{json.dumps(str(key))}:")
                where[len(lines)] = (sid, None)
                for index, step in enumerate(value):
                    lines.append(f"    - {_flow(step)}")
                    where[len(lines)] = (sid, index)
            else:
                lines.append(f"{prefix}{json.dumps(str(key))}: {_flow(value)}")
                where[len(lines)] = (sid, None)
        if first:
            lines.append("- {}")
            where[len(lines)] = (sid, None)
    return "\n".join(lines) + "\n", where


def to_yaml(items: Union[ScenarioLike, Sequence[ScenarioLike]]) -> str:
    """The YAML text of scenarios written in Python (what the CLI would read from a file)."""
    if isinstance(items, (Scenario, Mapping)):
        items = [items]
    return _to_yaml_lines(list(items))[0]


class Scenarios:
    """Loaded, checked scenarios, ready to run. ``ids``, ``len()``, iteration over their
    descriptions (dicts: id, title, requires, where, ...), ``+`` and ``select(glob)``."""

    def __init__(self, loaded: Optional[Any] = None) -> None:
        self._loaded = loaded if loaded is not None else _hubspec._Scenarios()

    @property
    def ids(self) -> list[str]:
        return self._loaded.ids()

    def __len__(self) -> int:
        return len(self._loaded)

    def __iter__(self) -> Iterator[dict]:
        return iter(self._loaded.info())

    def __add__(self, other: "Scenarios") -> "Scenarios":
        combined = _hubspec._Scenarios()
        combined.extend(self._loaded)
        combined.extend(other._loaded)
        return Scenarios(combined)

    def select(self, glob: str) -> "Scenarios":
        return Scenarios(self._loaded.select(glob))

    def __repr__(self) -> str:
        return f"<hubspec.Scenarios: {len(self)} scenarios>"


def _load_text(text: str, name: str, where: Optional[dict[int, tuple[str, Optional[int]]]] = None) -> Scenarios:
    try:
        return Scenarios(_hubspec.load_text(text, name))
    except ScenarioError as e:
        if where is not None and e.file == name and e.line in where:
            sid, step = where[e.line]
            place = f"scenario {sid!r}" + (f", step {step}" if step is not None else "")
            error = ScenarioError(f"{name}:{e.line}: {place}: {e.problem}", e.requirement)
            error.scenario, error.step = sid, step
            raise error from None
        raise


def from_python(items: Union[ScenarioLike, Sequence[ScenarioLike]], name: str = "<python>") -> Scenarios:
    """Scenarios written in Python (dicts or Scenario objects), checked by the YAML loader.
    A ScenarioError then names the scenario and the step (``.scenario``, ``.step``)."""
    if isinstance(items, (Scenario, Mapping)):
        items = [items]
    text, where = _to_yaml_lines(list(items))
    return _load_text(text, name, where)


def from_yaml(text: str, name: str = "<yaml>") -> Scenarios:
    """Scenarios from YAML text (a list of scenarios, as in scenarios/*.yaml)."""
    return _load_text(text, name)


def load_scenarios(path: Union[str, os.PathLike]) -> Scenarios:
    """A scenario file, or every *.yaml of a directory but requirements.yaml."""
    p = Path(path)
    if p.is_dir():
        return Scenarios(_hubspec.load_directory(p))
    if p.is_file():
        return Scenarios(_hubspec.load_file(p))
    raise FileNotFoundError(f"no scenario file or directory at {p}")


def builtin_dir() -> Path:
    """The project's scenarios/: bundled in the package when pip-installed, else the source tree's."""
    if (_PACKAGE_SCENARIOS / "requirements.yaml").is_file():
        return _PACKAGE_SCENARIOS
    return Path(_hubspec.scenarios_dir)


def builtin_scenarios() -> Scenarios:
    """The conformance suite: every scenario in the project's scenarios/."""
    return load_scenarios(builtin_dir())


_YAML_HINT = re.compile(r"^\s*(-|\[|#)", re.M)


def as_scenarios(source: Any) -> Scenarios:
    """Whatever run() accepts as scenarios: Scenarios, a Scenario or dict or a list of
    them, YAML text, or a path to a file or directory. None is the built-in suite."""
    if source is None:
        return builtin_scenarios()
    if isinstance(source, Scenarios):
        return source
    if isinstance(source, os.PathLike):
        return load_scenarios(source)
    if isinstance(source, str):
        if "\n" not in source and os.path.exists(source):
            return load_scenarios(source)
        if "\n" in source or _YAML_HINT.match(source):
            return from_yaml(source)
        raise FileNotFoundError(f"no scenario file or directory at {source}")
    if isinstance(source, (Scenario, Mapping)):
        return from_python([source])
    if isinstance(source, Iterable):
        items = list(source)
        if all(isinstance(i, Scenarios) for i in items):
            total = Scenarios()
            for i in items:
                total = total + i
            return total
        return from_python(items)
    raise TypeError(f"cannot make scenarios of a {type(source).__name__}")
