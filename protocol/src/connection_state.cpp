#include "hubspec/protocol/connection_state.hpp"

#include <array>

namespace hubspec::protocol {

namespace {

using s = connection_state;
using i = connection_input;

struct transition {
    connection_state from;
    connection_input input;
    connection_state to;
};

// Every allowed (state, input); anything else is refused.
constexpr std::array<transition, 13> table{{
    {s::handshaking, i::handshake_succeeded, s::connected},
    {s::handshaking, i::handshake_failed, s::closed},
    {s::handshaking, i::ended, s::closed},

    {s::connected, i::close_sent, s::closing},
    {s::connected, i::close_received, s::closing},
    {s::connected, i::transport_lost, s::transport_lost},
    {s::connected, i::transport_resumed, s::connected}, // a new transport replaces a live one (SR-019)
    {s::connected, i::ended, s::closed},

    {s::transport_lost, i::transport_resumed, s::connected},
    {s::transport_lost, i::ended, s::closed},

    {s::closing, i::close_sent, s::closing},
    {s::closing, i::close_received, s::closing},
    {s::closing, i::ended, s::closed},
}};

} // namespace

std::optional<connection_state> next_state(connection_state from, connection_input input) noexcept {
    for (const auto& t : table) {
        if (t.from == from && t.input == input) return t.to;
    }
    return std::nullopt;
}

std::string_view to_string(connection_state state) noexcept {
    switch (state) {
    case s::handshaking: return "handshaking";
    case s::connected: return "connected";
    case s::transport_lost: return "transport_lost";
    case s::closing: return "closing";
    case s::closed: return "closed";
    }
    return "unknown";
}

} // namespace hubspec::protocol
