#pragma once
// A scenario script (design §7): an id, the requirements it checks, what it needs
// of the target, and steps. Scenarios come from scenarios/*.yaml, or from Python
// as dicts; both end up here. Step parameters stay a value tree (the protocol
// core's value model) so that YAML and Python share one step vocabulary, and the
// step's executor (harness/src/steps/) reads what it needs from them.

#include <hubspec/protocol/negotiate.hpp>
#include <hubspec/protocol/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hubspec::harness {

enum class protocol_name { json, messagepack };

std::string_view to_string(protocol_name p) noexcept;
std::optional<protocol_name> parse_protocol_name(std::string_view text) noexcept; // "json", "messagepack"
std::string_view transport_option_name(protocol::transport_type t) noexcept;      // "websockets", ...
std::optional<protocol::transport_type> parse_transport_option(std::string_view text) noexcept;

/// Where a step or scenario was written, for error messages: "scenarios/groups.yaml:12".
struct source_location {
    std::string file;
    int line = 0;
    std::string to_string() const;
};

struct step {
    std::string action;     // "connect", "invoke", "http", ...
    protocol::value params; // the step's mapping (a map value; null when the step has none)
    source_location where;
};

struct scenario {
    std::string id;                                   // "groups.send-to-group-reaches-members-only"
    std::string title;                                // one line, for people
    std::vector<std::string> requires_ids;            // requirement IDs it checks ("GRP-002")
    std::vector<std::string> methods;                 // contract methods it needs; missing ones skip it
    std::vector<std::string> endpoints;               // contract endpoints beyond the main hub ("conformance-nows")
    std::vector<protocol::transport_type> transports; // empty = every transport
    std::vector<protocol_name> protocols;             // empty = both
    /// Runs once, not per cell (for scenarios about negotiate or HTTP alone).
    bool once = false;
    std::vector<step> steps;
    source_location where;
};

/// One point of the matrix a scenario runs at.
struct cell {
    protocol::transport_type transport = protocol::transport_type::websockets;
    protocol_name protocol = protocol_name::json;
    bool operator==(const cell&) const = default;
};

/// "WebSockets/json"; a scenario that runs once uses "-" for both.
std::string cell_label(const cell& c, bool once);

} // namespace hubspec::harness
