#pragma once
// What the runner knows of the target: where its hub and contract endpoints are,
// what its negotiate offers, and its timings.

#include "engine/credentials.hpp"
#include "engine/method_probe.hpp"

#include "hubspec/harness/contract.hpp"

#include <hubspec/protocol/negotiate.hpp>
#include <hubspec/protocol/target_settings.hpp>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace hubspec::harness::detail {

class target {
public:
    target(std::string hub_url, std::map<std::string, std::string> endpoint_urls, protocol::target_settings timings);

    const std::string& hub_url() const { return hub_url_; }
    const std::string& origin() const { return origin_; }
    const protocol::target_settings& timings() const { return timings_; }

    /// The URL of contract endpoint `name` ("conformance-nows", "token"): given with
    /// --endpoint, else the contract path on the target's origin.
    std::string endpoint_url(const std::string& name) const;

    /// `--client COMMAND`: the client under test; the run's scenarios are then client-side.
    void set_client_command(std::string command) { client_command_ = std::move(command); }
    const std::string& client_command() const noexcept { return client_command_; }
    /// `--client-negotiate-version`: 1, or 0 for a client of the ASP.NET Core 2.x era.
    void set_client_negotiate_version(int version) noexcept { client_negotiate_version_ = version; }
    int client_negotiate_version() const noexcept { return client_negotiate_version_; }

    /// `--redis URL`: the cluster's backplane, for the fault steps (backplane_fault).
    void set_redis(std::string url) { redis_url_ = std::move(url); }
    const std::string& redis_url() const noexcept { return redis_url_; }

    /// `--node URL`: the other nodes of a cluster, by hub URL; node 1 is the target itself.
    void set_nodes(std::vector<std::string> hub_urls) { nodes_ = std::move(hub_urls); }
    std::size_t node_count() const noexcept { return 1 + nodes_.size(); }
    /// Endpoint `name`'s URL on node `n` (1-based): node 1's is endpoint_url(name); another
    /// node's is the same path on that node's origin (its hub URL for the hub itself).
    std::string endpoint_url_on(std::size_t n, const std::string& name) const;

    /// Whether contract endpoint `name` answers: `token` a GET, the others negotiate
    /// (200, or 401 where a token is needed). Asked once, then remembered.
    bool endpoint_present(const std::string& name);

    /// Transports the endpoint's negotiate offers; nullopt when the endpoint is absent
    /// (404 on negotiate, or no answer). Asked once per endpoint, then remembered.
    std::optional<std::vector<protocol::transport_type>> offered_transports(const std::string& endpoint_name);

    /// `--header`, `--access-token`: what every request and connection to the target carries.
    void set_credentials(credentials c) { creds_ = std::move(c); }
    const credentials& creds() const { return creds_; }

    /// `--method ROLE=NAME`: the target's own methods standing in for contract roles.
    void set_method_roles(method_role_map roles) { roles_ = std::move(roles); }
    const method_role_map& roles() const { return roles_; }
    /// The name to invoke for contract method `name` (a mapped role), else `name` itself.
    std::string method_name(const std::string& name) const;

    /// Every contract method of `endpoint`'s hub (mapped names), probed once (method_probe.hpp).
    const method_probe& methods_of(const std::string& endpoint);
    /// Why contract method `name` cannot be used here ("contract method Echo is missing at URL …");
    /// empty when the hub has it, or when the probe could not tell (a step then finds out).
    std::string method_missing(const std::string& name);

private:
    std::string hub_url_;
    std::string origin_;
    std::map<std::string, std::string> endpoint_urls_;
    std::vector<std::string> nodes_;
    std::string redis_url_;
    std::string client_command_;
    int client_negotiate_version_ = 1;
    protocol::target_settings timings_;
    std::mutex mutex_;
    std::map<std::string, std::optional<std::vector<protocol::transport_type>>> offered_;
    std::map<std::string, bool> present_;
    method_role_map roles_;
    credentials creds_;
    std::mutex probe_mutex_; // one probe at a time; the others wait for its answer
    std::map<std::string, method_probe> probes_;
};

/// "http://host:port/path?q" -> "http://host:port".
std::string origin_of(const std::string& url);

} // namespace hubspec::harness::detail
