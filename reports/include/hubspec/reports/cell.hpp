#pragma once
// One point of the test matrix, transport × hub protocol: what a cell result is
// filed under. Scenarios name the same points (hubspec/harness/scenario.hpp).

#include <hubspec/protocol/negotiate.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace hubspec::harness {

enum class protocol_name { json, messagepack };

std::string_view to_string(protocol_name p) noexcept;
std::optional<protocol_name> parse_protocol_name(std::string_view text) noexcept; // "json", "messagepack"

/// One point of the matrix a scenario runs at.
struct cell {
    protocol::transport_type transport = protocol::transport_type::websockets;
    protocol_name protocol = protocol_name::json;
    bool operator==(const cell&) const = default;
};

/// "WebSockets/json"; a scenario that runs once uses "-" for both.
std::string cell_label(const cell& c, bool once);

} // namespace hubspec::harness
