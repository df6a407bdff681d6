#pragma once
// The nine hub message types (MSG-001), plus the marker for a type this side
// does not know, which receivers skip (MSG-004). Plain data, the same for
// both roles and both protocols.

#include "hubspec/protocol/value.hpp"
#include "hubspec/protocol/value_list.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace hubspec::protocol {

/// Headers in wire order; only types 1-5 carry them (MSG-007).
using header_map = std::vector<std::pair<std::string, std::string>>;

enum class message_type : std::int64_t {
    invocation = 1,
    stream_item = 2,
    completion = 3,
    stream_invocation = 4,
    cancel_invocation = 5,
    ping = 6,
    close = 7,
    ack = 8,
    sequence = 9,
};

/// Type 1 (MSG-010). No invocation id means non-blocking: the callee answers nothing (MSG-012).
struct invocation_message {
    header_map headers;
    std::optional<std::string> invocation_id;
    std::string target;
    value_list arguments;
    std::vector<std::string> stream_ids;
    bool operator==(const invocation_message&) const = default;
};

/// Type 2 (MSG-030).
struct stream_item_message {
    header_map headers;
    std::string invocation_id;
    value item;
    bool operator==(const stream_item_message&) const = default;
};

/// Type 3 (MSG-040): `result` (possibly null) or `error`, or neither for a void completion.
struct completion_message {
    header_map headers;
    std::string invocation_id;
    std::optional<value> result;
    std::optional<std::string> error;
    bool operator==(const completion_message&) const = default;

    static completion_message void_result(std::string id) { return {{}, std::move(id), std::nullopt, std::nullopt}; }
    static completion_message with_result(std::string id, value v) {
        return {{}, std::move(id), std::move(v), std::nullopt};
    }
    static completion_message with_error(std::string id, std::string e) {
        return {{}, std::move(id), std::nullopt, std::move(e)};
    }
};

/// Type 4 (MSG-020): the invocation id is required.
struct stream_invocation_message {
    header_map headers;
    std::string invocation_id;
    std::string target;
    value_list arguments;
    std::vector<std::string> stream_ids;
    bool operator==(const stream_invocation_message&) const = default;
};

/// Type 5 (MSG-050).
struct cancel_invocation_message {
    header_map headers;
    std::string invocation_id;
    bool operator==(const cancel_invocation_message&) const = default;
};

/// Type 6 (MSG-060).
struct ping_message {
    bool operator==(const ping_message&) const = default;
};

/// Type 7 (MSG-070).
struct close_message {
    std::optional<std::string> error;
    bool allow_reconnect = false;
    bool operator==(const close_message&) const = default;
};

/// Type 8 (MSG-080).
struct ack_message {
    std::int64_t sequence_id = 0;
    bool operator==(const ack_message&) const = default;
};

/// Type 9 (MSG-081).
struct sequence_message {
    std::int64_t sequence_id = 0;
    bool operator==(const sequence_message&) const = default;
};

/// A well-formed message of a type this side does not know: skipped (MSG-004).
/// Writers emit a bare `{"type":N}` / `[N]`, which lets probes send one on purpose.
struct unknown_message {
    std::int64_t type = 0;
    bool operator==(const unknown_message&) const = default;
};

using hub_message = std::variant<invocation_message, stream_item_message, completion_message, stream_invocation_message,
                                 cancel_invocation_message, ping_message, close_message, ack_message, sequence_message,
                                 unknown_message>;

/// The wire type code of a message (1-9, or the unknown type's own code).
std::int64_t type_code(const hub_message& m) noexcept;

/// "Invocation", "StreamItem", … as the spec names them; "Unknown" for unknown_message.
std::string_view type_name(const hub_message& m) noexcept;
std::string_view type_name(std::int64_t code) noexcept;
std::optional<std::int64_t> type_code_from_name(std::string_view name) noexcept;

/// The headers of a message of types 1-5, or nullptr (MSG-007).
const header_map* headers_of(const hub_message& m) noexcept;
header_map* headers_of(hub_message& m) noexcept;

} // namespace hubspec::protocol
