"""The server and the client from Python: lifecycle, invoke, send, on, stream, upload, errors."""

from __future__ import annotations

import threading
import time

import pytest

import hubspec

TRANSPORTS = ["websockets", "serversentevents", "longpolling"]


def test_server_urls_and_stop():
    with hubspec.Server() as s:
        assert s.url == s.origin + "/conformance"
        assert s.url.startswith("http://127.0.0.1:") and s.port > 0
        assert s.running
    assert not s.running
    with pytest.raises(RuntimeError):
        s.url


def test_two_servers_have_their_own_ports():
    with hubspec.Server() as a, hubspec.Server() as b:
        assert a.port != b.port


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_invoke_over_each_transport(server, transport):
    with hubspec.connect(server.url, transport=transport) as conn:
        assert conn.state == "Connected"
        assert conn.invoke("HelloWorld") == "Hello World!"
        assert conn.invoke("Add", 2, 3) == 5
        assert conn.invoke("GetActiveTransportName") == {"websockets": "WebSockets",
                                                          "serversentevents": "ServerSentEvents",
                                                          "longpolling": "LongPolling"}[transport]
        assert conn.invoke("VoidMethod") is None
        assert conn.connection_id
    assert conn.state == "Disconnected"


def test_hub_error_carries_the_server_message(server):
    with hubspec.connect(server.url) as conn:
        with pytest.raises(hubspec.HubError, match="boom from python"):
            conn.invoke("ThrowException", "boom from python")
        assert conn.invoke("Echo", 1) == 1  # the connection survives


def test_unknown_method_is_a_hub_error(server):
    with hubspec.connect(server.url) as conn:
        with pytest.raises(hubspec.HubError):
            conn.invoke("NoSuchMethod")


def test_invoke_timeout(server):
    with hubspec.connect(server.url) as conn:
        with pytest.raises(hubspec.Timeout):
            conn.invoke("Delay", 2000, timeout=0.2)


def test_gil_is_released_while_waiting(server):
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.01)

    with hubspec.connect(server.url) as conn:
        t = threading.Thread(target=ticker)
        t.start()
        conn.invoke("Delay", 500)
        stop.set()
        t.join()
    assert len(ticks) > 10  # another Python thread ran during the 500 ms call


def test_on_and_send(server):
    got = []
    done = threading.Event()
    with hubspec.connect(server.url) as conn:
        @conn.on("Broadcast")
        def _(value):
            got.append(value)
            done.set()

        conn.send("Broadcast", {"x": [1, 2]})
        assert done.wait(5)
    assert got == [{"x": [1, 2]}]


def test_many_arguments_and_off(server):
    got = []
    done = threading.Event()
    with hubspec.connect(server.url, protocol="messagepack") as conn:
        hid = conn.on("ManyArgs", lambda *args: (got.append(args), done.set()))
        conn.invoke("ManyArgs", 4)
        assert done.wait(5)
        conn.off("ManyArgs", hid)
    assert got == [(0, 1, 2, 3)]


def test_client_results(server):
    with hubspec.connect(server.url) as conn:
        conn.on("Question", lambda value: value * 2)
        assert conn.invoke("ClientResult", "Question", 21) == 42
        conn.on("Refuse", lambda value: (_ for _ in ()).throw(ValueError("no thanks")))
        with pytest.raises(hubspec.HubError):
            conn.invoke("ClientResult", "Refuse", 1)


def test_handler_runs_on_another_thread(server):
    threads = []
    done = threading.Event()
    with hubspec.connect(server.url) as conn:
        conn.on("Echo", lambda v: (threads.append(threading.get_ident()), done.set()))
        conn.invoke("EchoToCaller", "x")
        assert done.wait(5)
    assert threads and threads[0] != threading.get_ident()


@pytest.mark.parametrize("protocol", ["json", "messagepack"])
def test_stream(server, protocol):
    with hubspec.connect(server.url, protocol=protocol) as conn:
        assert list(conn.stream("Stream", 5, 1)) == [0, 1, 2, 3, 4]
        assert list(conn.stream("EmptyStream")) == []


def test_stream_error_after_items(server):
    items = []
    with hubspec.connect(server.url) as conn:
        with pytest.raises(hubspec.HubError, match="stream broke"):
            for item in conn.stream("StreamThrowException", 2, "stream broke"):
                items.append(item)
    assert items == [0, 1]


def test_stream_cancel(server):
    with hubspec.connect(server.url) as conn:
        s = conn.stream("InfiniteStream", 5)
        first = [next(s) for _ in range(3)]
        s.cancel()
        assert first == [0, 1, 2]
        deadline = time.monotonic() + 5
        while conn.invoke("GetCancelCount") < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert conn.invoke("GetCancelCount") == 1


def test_upload(server):
    with hubspec.connect(server.url) as conn:
        assert conn.upload("Sum", [1, 2, 3, 4]) == 10
        assert conn.upload("UploadConcat", (s for s in ["a", "b", "c"])) == "abc"
        assert conn.upload("Sum", []) == 0


def test_headers_and_access_token(server):
    with hubspec.connect(server.url, headers={"X-Test": "yes"}) as conn:
        assert conn.invoke("GetHeader", "X-Test") == "yes"
    import urllib.request
    token = urllib.request.urlopen(server.endpoint("token") + "?user=alice").read().decode()
    with hubspec.connect(server.endpoint("conformance-auth"), access_token=lambda: token) as conn:
        assert conn.invoke("GetUserIdentifier") == "alice"


def test_unreachable_url_is_a_connection_error():
    with pytest.raises(hubspec.HubConnectionError):
        hubspec.connect("http://127.0.0.1:9/conformance", timeout=10)


def test_on_close_is_called_on_abort(server):
    closed = threading.Event()
    errors = []
    conn = hubspec.connect(server.url)
    conn.on_close = lambda error: (errors.append(error), closed.set())
    with pytest.raises(hubspec.HubspecError):
        conn.invoke("Abort")
    assert closed.wait(5)
    assert conn.state == "Disconnected"
    conn.stop()


def test_reconnecting_callback_when_the_server_goes_away():
    reconnecting = threading.Event()
    with hubspec.Server() as short:
        conn = hubspec.connect(short.url, reconnect=[0, 100, 100, 100])
        conn.on_reconnecting = lambda error: reconnecting.set()
        short.stop()  # the transport fails: the client reconnects (unlike after Abort, ERR-009)
        assert reconnecting.wait(10)
        conn.stop()
