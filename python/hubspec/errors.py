"""The exceptions hubspec raises. Each carries the requirement ID it concerns
(``.requirement``) where there is one, e.g. ``NEG-010``."""

from __future__ import annotations

import re
from typing import Optional

_REQUIREMENT_ID = re.compile(r"\b([A-Z]{2,6}-\d{3})\b")
_FILE_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<problem>.*)$", re.S)


class HubspecError(Exception):
    """Base of every hubspec error; ``requirement`` is the requirement ID named, if any."""

    def __init__(self, message: str, requirement: Optional[str] = None) -> None:
        super().__init__(message)
        found = _REQUIREMENT_ID.search(message)
        self.requirement: Optional[str] = requirement or (found.group(1) if found else None)


class HubError(HubspecError):
    """The server answered an invocation or stream with an error; the message is the server's."""


class HubConnectionError(HubspecError, ConnectionError):
    """The connection failed to start, or closed before the call completed."""


class Timeout(HubspecError, TimeoutError):
    """A call did not complete within its timeout."""


class TargetUnreachable(HubspecError, ConnectionError):
    """run() could not negotiate with the target at all (the CLI's exit code 2)."""


class TargetUnauthorized(HubspecError, PermissionError):
    """run() was refused: the target wants credentials (negotiate answered 401), or the token command failed."""


class ScenarioError(HubspecError, ValueError):
    """A scenario (or catalogue, or expectations file) is malformed; ``file`` and ``line`` say where."""

    def __init__(self, message: str, requirement: Optional[str] = None) -> None:
        super().__init__(message, requirement)
        match = _FILE_LINE.match(message)
        self.file: Optional[str] = match.group("file") if match else None
        self.line: Optional[int] = int(match.group("line")) if match else None
        self.problem: str = match.group("problem") if match else message
        self.scenario: Optional[str] = None  # set for scenarios written in Python
        self.step: Optional[int] = None  # 0-based index of the step, for scenarios written in Python


class ConformanceFailure(HubspecError, AssertionError):
    """Report.raise_for_failures(): cells failed; ``cells`` lists them, ``requirement`` is the first one's."""

    def __init__(self, message: str, cells: list, requirement: Optional[str] = None) -> None:
        super().__init__(message, requirement)
        self.cells = cells
