#pragma once
// Helpers of the stateful reconnect tests: synthetic time, framed messages, and
// sending or receiving through a buffer with the decision checked.

#include "hubspec/protocol/hub_protocol.hpp"
#include "hubspec/protocol/stateful_reconnect.hpp"

#include "test_support.hpp"

#include <chrono>
#include <cstdint>
#include <string>

namespace hubspec::protocol::test {

using time_point = stateful_reconnect_buffer::time_point;

inline const hub_protocol& json = json_protocol();
inline constexpr time_point t0{}; // synthetic: only differences matter

inline hub_message invoke(std::string id, std::string target) {
    return invocation_message{{}, std::move(id), std::move(target), {}, {}};
}

/// A numbered non-blocking invocation, "Sequence(count)", for loss and duplication checks.
inline hub_message numbered(std::int64_t count) {
    return invocation_message{{}, std::nullopt, "Sequence", {value(count)}, {}};
}

inline hub_message parse_one(const hub_protocol& protocol, std::string_view framed) {
    auto record = protocol.next_record(framed);
    REQUIRE(record.has_value());
    REQUIRE(record->consumed == framed.size());
    auto message = protocol.parse(record->body);
    REQUIRE(message.has_value());
    return *message;
}

/// Sends `m` through `buffer` and returns its bytes, requiring the decision `expected`.
inline std::string send(stateful_reconnect_buffer& buffer, const hub_message& m,
                        send_decision expected = send_decision::send, const hub_protocol& protocol = json) {
    auto bytes = protocol.encode(m);
    auto r = buffer.on_send(m, bytes);
    REQUIRE(r.decision == expected);
    return bytes;
}

inline receive_decision receive(stateful_reconnect_buffer& buffer, const hub_message& m, time_point now = t0) {
    auto r = buffer.on_receive(m, now);
    INFO((r.has_value() ? std::string() : r.error().to_string()));
    REQUIRE(r.has_value());
    return r->decision;
}

} // namespace hubspec::protocol::test
