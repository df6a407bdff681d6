// A server-role and a client-role hub_connection (HS-*, KA-*, SR-*) driven against
// each other: the input picks the set-up, then a script of steps — pass bytes
// either way, inject arbitrary bytes, step the clock, send, lose and resume the
// transport. Properties: nothing crashes, no event follows a peer error in one drain
// nor comes once closed, and a connection never leaves closed.
#include "hubspec/protocol/hub_connection.hpp"

#include "fuzz_support.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace hubspec::protocol;
using time_point = hub_connection::time_point;

struct script {
    const std::uint8_t* data;
    std::size_t size;
    std::size_t at = 0;
    bool done() const { return at >= size; }
    std::uint8_t byte() { return at < size ? data[at++] : 0; }
    std::string_view bytes(std::size_t n) {
        n = std::min(n, size - at);
        std::string_view out(reinterpret_cast<const char*>(data + at), n);
        at += n;
        return out;
    }
};

/// Takes every event; answers the server's handshake; checks that no event follows a peer error
/// in the same drain (the owner, not the fuzzer, ends a connection on one, so a later resume may read again).
void drain(hub_connection& c, time_point now) {
    bool failed = false;
    for (int guard = 0; guard < 1000; ++guard) {
        const auto before = c.state();
        auto event = c.next_event(now);
        if (std::holds_alternative<need_data>(event)) return;
        HUBSPEC_FUZZ_CHECK(!failed);                            // nothing is read after a peer error
        HUBSPEC_FUZZ_CHECK(before != connection_state::closed); // nor once closed
        if (auto* request = std::get_if<handshake_request_received>(&event)) {
            c.accept_handshake(request->request, now);
        } else if (std::holds_alternative<handshake_failed_event>(event)) {
            if (c.side() == role::server) c.reject_handshake("Handshake failed.");
        } else if (std::holds_alternative<peer_error>(event)) {
            failed = true;
        }
    }
    HUBSPEC_FUZZ_CHECK(false); // events without end
}

void pass(hub_connection& from, hub_connection& to, time_point now) {
    for (auto& chunk : from.take_data())
        to.receive_data(chunk, now);
    drain(to, now);
}

void tick(hub_connection& c, time_point now) {
    if (auto ack = c.poll_ack(now)) c.send(*ack, now);
    const auto due = c.poll_keep_alive(now);
    if (due.action == keep_alive_action::send_ping) c.send(ping_message{}, now);
    if (due.action == keep_alive_action::handshake_timeout || due.action == keep_alive_action::peer_timeout) c.end();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    script in{data, size};
    const std::uint8_t setup = in.byte();
    const bool messagepack = (setup & 1) != 0;
    const bool stateful = (setup & 2) != 0;
    const bool long_polling = (setup & 4) != 0;

    connection_options options;
    options.max_message_size = (setup & 8) != 0 ? 64 : no_size_limit;
    options.reconnect.buffer_size = (setup & 16) != 0 ? 40 : default_stateful_reconnect_buffer_size;

    time_point now{};
    server_connection_options s;
    s.stateful_reconnect_granted = stateful;
    s.max_handshake_size = 1024;
    if (long_polling) s.timing.transport = transport_keep_alive::inherent;
    client_connection_options c;
    c.protocol = messagepack ? &messagepack_protocol() : &json_protocol();
    c.stateful_reconnect = stateful;
    if (long_polling) c.timing.transport = transport_keep_alive::inherent;
    hub_connection server(s, options, now);
    hub_connection client(c, options, now);

    for (int steps = 0; !in.done() && steps < 256; ++steps) {
        const auto server_was_closed = server.state() == connection_state::closed;
        const auto client_was_closed = client.state() == connection_state::closed;
        switch (in.byte() % 9) {
        case 0: pass(client, server, now); break;
        case 1: pass(server, client, now); break;
        case 2:
            server.receive_data(in.bytes(in.byte()), now);
            drain(server, now);
            break;
        case 3:
            client.receive_data(in.bytes(in.byte()), now);
            drain(client, now);
            break;
        case 4:
            now += std::chrono::milliseconds(in.byte()) * 250;
            tick(server, now);
            tick(client, now);
            break;
        case 5:
            client.send(invocation_message{{}, std::string("1"), "Echo", {value{std::int64_t{in.byte()}}}, {}}, now);
            break;
        case 6: server.send(completion_message::with_result("1", value{std::int64_t{in.byte()}}), now); break;
        case 7:
            if (client.transport_lost()) (void)client.resume(now);
            if (server.transport_lost()) (void)server.resume(now);
            break;
        case 8:
            if ((in.byte() & 1) != 0) {
                client.send(close_message{}, now);
            } else {
                (void)server.finish_reading(); // the transport ended, as the server's adapter sees it
                server.end();
            }
            break;
        }
        HUBSPEC_FUZZ_CHECK(!server_was_closed || server.state() == connection_state::closed);
        HUBSPEC_FUZZ_CHECK(!client_was_closed || client.state() == connection_state::closed);
    }
    return 0;
}
