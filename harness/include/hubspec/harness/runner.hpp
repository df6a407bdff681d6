#pragma once
// Runs scenarios against a target (design §5): expands each over transport ×
// protocol, runs the cells in parallel, each with its own connections, and
// returns the run's result model.

#include "hubspec/harness/contract.hpp"
#include "hubspec/harness/scenario.hpp"
#include "hubspec/reports/run_result.hpp"

#include <hubspec/client/tls_options.hpp>
#include <hubspec/protocol/target_settings.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace hubspec::harness {

struct run_options {
    /// The main hub URL ("http://host:port/conformance"); empty = start the embedded reference server.
    std::string target_url;
    /// Contract endpoints by name ("conformance-nows" -> URL); unnamed ones are found on the target's origin.
    std::map<std::string, std::string> endpoints;
    /// `--node URL`: the hub URLs of the target's other nodes (one backplane); the scale-out theme needs one.
    std::vector<std::string> nodes;
    /// `--client COMMAND`: test this client (started through the client agent contract) instead of
    /// a server; the scenarios are then client-side ones (scenarios/client/).
    std::string client_command;
    /// `--client-negotiate-version`: the negotiate version the client under test speaks; 0 for
    /// clients of the ASP.NET Core 2.x era (no negotiateVersion, connectionId as the id).
    int client_negotiate_version = 1;
    /// `--redis URL`: the cluster's Redis, which the backplane_fault step breaks (drops subscribers).
    std::string redis_url;
    std::vector<protocol::transport_type> transports; // empty = all
    std::vector<protocol_name> protocols;             // empty = both
    std::string filter = "*";                         // globs over scenario ids, comma-separated: any may match
    bool strict = false;
    std::size_t parallel = 4; // cells at a time
    /// How long a cell may run before it fails as stuck in its step; 0 = by its steps' own waits.
    std::chrono::milliseconds cell_deadline{0};
    /// The target's timings and limits, which timing scenarios read; the embedded server uses them too.
    protocol::target_settings timings;
    /// `--method ROLE=NAME`: the target's own methods standing in for contract roles (contract.hpp).
    method_role_map method_roles;
    /// Sent with every request and connection to the target (`--header NAME:VALUE`); the values
    /// never appear in the reports.
    std::vector<std::pair<std::string, std::string>> headers;
    /// `--access-token`, or `--access-token-command` run for each connection (its output is the
    /// token): `Authorization: Bearer` on requests, the client's access token on connections.
    std::string access_token;
    std::string access_token_command;
    /// How an https:// target's certificate is checked (`--ca-file`, `--insecure`).
    client::tls_options tls;
    /// Settings the user gave (table names): the run takes them as they are. The others are detected
    /// where the wire tells (stateful reconnect, keep-alive, parallel invocations), else ASP.NET Core's default.
    std::set<std::string> declared;
    /// Called as each cell ends (progress output); may be called from several threads, one at a time.
    std::function<void(const scenario_result&, const cell_result&)> on_cell;
};

/// Whether `action` names a step the runner executes: the vocabulary to hand the scenario loader.
bool is_known_step(std::string_view action);

/// Thrown when the target cannot be reached at all (the CLI's exit code 2).
struct unreachable_target : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Thrown when the target wants credentials the run does not have (negotiate answers 401), or
/// the token command fails: every verdict would be a false failure (the CLI's exit code 2).
struct unauthorized_target : std::runtime_error {
    using std::runtime_error::runtime_error;
};

run_result run_scenarios(const std::vector<scenario>& scenarios, const requirement_catalogue& catalogue,
                         const run_options& options);

} // namespace hubspec::harness
