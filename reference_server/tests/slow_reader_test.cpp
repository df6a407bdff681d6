// A peer that stops reading (KA-011): once one write has waited longer than the
// transport send timeout, the server closes the socket instead of queueing for
// that peer without end, and it keeps serving everyone else.
#include "wire_client.hpp"

#include <boost/asio/steady_timer.hpp>

using namespace hubspec::server;
using namespace hubspec::server::testing;
using namespace std::chrono_literals;

namespace {

server_options send_timeout_options(std::chrono::milliseconds send_timeout) {
    server_options options;
    options.log_to_stderr = false;
    options.transport_send_timeout = send_timeout;
    options.hub.client_timeout_interval = 60s; // only the send timeout may end the connection here
    return options;
}

/// Awaits `condition` on the test's io_context, checking it every few milliseconds.
template <class Condition>
bool await_condition(net::io_context& io, Condition condition, std::chrono::steady_clock::duration limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    net::steady_timer tick(io);
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        tick.expires_after(5ms);
        await(io, [&](auto h) { tick.async_wait(h); });
    }
    return true;
}

} // namespace

TEST_CASE("KA-011 a WebSocket client that stops reading is cut after the transport send timeout", "[wire][KA-011]") {
    running_server server(send_timeout_options(300ms));
    ws_client slow;
    slow.connect(server.port);
    REQUIRE(server.s.control().connections().size() == 1);

    // About 9 MB of Seq messages while the client reads nothing: the socket buffers fill and a write blocks.
    slow.send_text(R"({"type":1,"invocationId":"1","target":"Sequence","arguments":[200000]})"
                   "\x1e");
    REQUIRE(await_condition(
        slow.io, [&] { return server.s.control().connections().empty(); }, 20s));

    // What the kernel held arrives, then the end; the Sequence never completed.
    std::string received;
    beast::error_code end;
    for (;;) {
        auto [message, ec] = slow.next();
        if (!message) {
            end = ec;
            break;
        }
        received += *message;
    }
    CHECK(end);
    CHECK(received.find("\"invocationId\":\"1\"") == std::string::npos);

    // Everyone else is still served.
    ws_client other;
    other.connect(server.port);
    other.send_text(R"({"type":1,"invocationId":"2","target":"Echo","arguments":["still here"]})"
                    "\x1e");
    CHECK(other.read_skipping_pings() == "{\"type\":3,\"invocationId\":\"2\",\"result\":\"still here\"}\x1e");
}

TEST_CASE("KA-011 a client that reads keeps its connection however long the stream", "[wire][KA-011]") {
    // Generous: a loaded machine must not turn a slow-ish reader into a stalled one.
    running_server server(send_timeout_options(5s));
    ws_client reader;
    reader.connect(server.port);
    reader.send_text(R"({"type":1,"invocationId":"1","target":"Sequence","arguments":[20000]})"
                     "\x1e");
    std::string received;
    while (received.find("\"invocationId\":\"1\"") == std::string::npos)
        received += reader.read();
    CHECK(received.find("{\"type\":3,\"invocationId\":\"1\",\"result\":20000}\x1e") != std::string::npos);
    CHECK(server.s.control().connections().size() == 1);
}
