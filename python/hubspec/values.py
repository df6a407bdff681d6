"""Hub values: None, bool, int (-2**63 .. 2**64-1), float, str, bytes (MessagePack
binary), list, dict and Extension (a MessagePack extension value) map one to one
onto the C++ value model."""

from __future__ import annotations

from typing import Any

from . import _hubspec

Extension = _hubspec.Extension


def round_trip(value: Any) -> Any:
    """``value`` converted to the engine's value model and back (what a hub call carries)."""
    return _hubspec._round_trip(value)
