#pragma once
// A scenario script (design §7): an id, the requirements it checks, what it needs
// of the target, and steps. Scenarios come from scenarios/*.yaml, or from Python
// as dicts; both end up here. Step parameters stay a value tree (the protocol
// core's value model) so that YAML and Python share one step vocabulary, and the
// step's executor (harness/src/steps/) reads what it needs from them.

#include <hubspec/protocol/negotiate.hpp>
#include <hubspec/protocol/value.hpp>
#include <hubspec/reports/cell.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hubspec::harness {

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
    std::string id;                        // "groups.send-to-group-reaches-members-only"
    std::string title;                     // one line, for people
    std::vector<std::string> requires_ids; // requirement IDs it checks ("GRP-002")
    std::vector<std::string> methods;      // contract methods it needs; missing ones skip it
    std::vector<std::string> endpoints;    // contract endpoints beyond the main hub ("conformance-nows")
    /// How the target must be configured; a target configured otherwise skips it, with the reason:
    /// "stateful_reconnect" (AllowStatefulReconnects), "one_invocation_at_a_time"
    /// (MaximumParallelInvocationsPerClient 1), "negotiate_v1" (negotiate version 1, ASP.NET Core 3.0 on),
    /// "cluster" (the run knows two nodes or more of one backplane: --node).
    std::vector<std::string> configuration;
    std::vector<protocol::transport_type> transports; // empty = every transport
    std::vector<protocol_name> protocols;             // empty = both
    /// Runs once, not per cell (for scenarios about negotiate or HTTP alone).
    bool once = false;
    std::vector<step> steps;
    source_location where;
};

} // namespace hubspec::harness
