#pragma once
// Which hub methods a target has: each is invoked once with more arguments than any
// contract method takes, so a server that has it refuses the binding ("Failed to invoke
// 'X' …", MSG-091) and one that lacks it answers "Method does not exist." (ERR-001). On
// ASP.NET Core 3+ and the reference server no method of the user's hub runs. ASP.NET Core
// 2.x answers both alike; there the unclear ones are asked again without arguments, where
// a missing method says "Unknown hub method" and a method that takes none runs.

#include "engine/credentials.hpp"

#include <hubspec/protocol/negotiate.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hubspec::harness::detail {

/// ASP.NET Core's and the reference server's answer to a method the hub does not have.
bool says_method_missing(std::string_view error);

/// The method an ERR-001 error names ("Failed to invoke 'X' …"), if it says which.
std::optional<std::string> method_named_in(std::string_view error);

struct method_probe {
    /// Empty when the probe could tell; else why not (every method is then taken as present).
    std::string problem;
    /// Method -> the server's answer, for each one the hub does not have.
    std::map<std::string, std::string> missing;
};

/// Probes `methods` on the hub at `url` over one of `transports` (JSON), all within `timeout`;
/// `abort_method` (the contract's Abort, by its role) ends the connection if it runs: asked last.
method_probe probe_methods(const std::string& url, const std::vector<protocol::transport_type>& transports,
                           const std::vector<std::string>& methods, const std::string& abort_method,
                           std::chrono::milliseconds timeout, const credentials& creds);

} // namespace hubspec::harness::detail
