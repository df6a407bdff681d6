#pragma once
// Runs scenarios against a target (design §5): expands each over transport ×
// protocol, runs the cells in parallel, each with its own connections, and
// returns the run's result model.

#include "hubspec/harness/run_result.hpp"
#include "hubspec/harness/scenario.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hubspec::harness {

/// The target's timings, which scenarios about keep-alive and timeouts read.
struct target_timings {
    std::chrono::milliseconds keep_alive{15'000};
    std::chrono::milliseconds client_timeout{30'000};
    std::chrono::milliseconds handshake_timeout{15'000};
    std::chrono::milliseconds disconnect_timeout{15'000};
    std::chrono::milliseconds long_poll_timeout{90'000};
    std::size_t max_message_size = 32 * 1024;
    std::size_t stateful_reconnect_buffer_size = 100'000;
};

/// The embedded server's timings: short, so that a run against it is fast.
target_timings embedded_timings();

struct run_options {
    /// The main hub URL ("http://host:port/conformance"); empty = start the embedded reference server.
    std::string target_url;
    /// Contract endpoints by name ("conformance-nows" -> URL); unnamed ones are found on the target's origin.
    std::map<std::string, std::string> endpoints;
    std::vector<protocol::transport_type> transports; // empty = all
    std::vector<protocol_name> protocols;             // empty = both
    std::string filter = "*";                         // globs over scenario ids, comma-separated: any may match
    bool strict = false;
    std::size_t parallel = 4; // cells at a time
    target_timings timings;   // the embedded server uses these too
    /// Called as each cell ends (progress output); may be called from several threads, one at a time.
    std::function<void(const scenario_result&, const cell_result&)> on_cell;
};

/// Thrown when the target cannot be reached at all (the CLI's exit code 2).
struct unreachable_target : std::runtime_error {
    using std::runtime_error::runtime_error;
};

run_result run_scenarios(const std::vector<scenario>& scenarios, const requirement_catalogue& catalogue,
                         const run_options& options);

} // namespace hubspec::harness
