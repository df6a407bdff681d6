"""Python values <-> the engine's value model, locally and through the server's Echo."""

from __future__ import annotations

import math

import pytest

import hubspec

VALUES = [
    None, True, False, 0, -1, 42, 2**31, -(2**63), 2**63 - 1, 2**63, 2**64 - 1, 1.5, -0.0, 1e300,
    "", "héllo ☃", b"", b"\x00\x01\xff", [], [1, "two", None, [3.0]], {}, {"a": 1, "b": [True, {"c": b"x"}]},
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_round_trip_locally(value):
    back = hubspec.round_trip(value)
    assert back == value
    assert type(back) is type(value)


def test_tuple_becomes_list_and_bytearray_bytes():
    assert hubspec.round_trip((1, 2)) == [1, 2]
    assert hubspec.round_trip(bytearray(b"ab")) == b"ab"


def test_nan_and_infinity():
    assert math.isnan(hubspec.round_trip(float("nan")))
    assert hubspec.round_trip(float("-inf")) == float("-inf")


def test_extension_round_trips():
    ext = hubspec.Extension(-1, b"\x00\x00\x00\x01")
    assert hubspec.round_trip(ext) == ext
    assert hubspec.round_trip(ext).type == -1


@pytest.mark.parametrize("value", [2**64, -(2**63) - 1])
def test_integers_out_of_range_are_refused(value):
    with pytest.raises(ValueError):
        hubspec.round_trip(value)


def test_unsupported_type_is_a_type_error():
    with pytest.raises(TypeError, match="set"):
        hubspec.round_trip({1, 2})


@pytest.mark.parametrize("protocol", ["json", "messagepack"])
def test_echo_keeps_types(server, protocol):
    # JSON has no binary (bytes go as base64 text, as .NET does), so only MessagePack keeps bytes.
    values = [None, True, 7, -(2**63), 2**64 - 1, 2.5, "text", [1, [2]], {"k": {"n": None}}]
    if protocol == "messagepack":
        values += [b"\x00\xfe", {"bin": b"\x01"}]
    with hubspec.connect(server.url, protocol=protocol) as conn:
        for v in values:
            back = conn.invoke("Echo", v)
            assert back == v and type(back) is type(v), (v, back)
