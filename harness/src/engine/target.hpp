#pragma once
// What the runner knows of the target: where its hub and contract endpoints are,
// what its negotiate offers, and its timings.

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

    /// Whether contract endpoint `name` answers: `token` a GET, the others negotiate
    /// (200, or 401 where a token is needed). Asked once, then remembered.
    bool endpoint_present(const std::string& name);

    /// Transports the endpoint's negotiate offers; nullopt when the endpoint is absent
    /// (404 on negotiate, or no answer). Asked once per endpoint, then remembered.
    std::optional<std::vector<protocol::transport_type>> offered_transports(const std::string& endpoint_name);

private:
    std::string hub_url_;
    std::string origin_;
    std::map<std::string, std::string> endpoint_urls_;
    protocol::target_settings timings_;
    std::mutex mutex_;
    std::map<std::string, std::optional<std::vector<protocol::transport_type>>> offered_;
    std::map<std::string, bool> present_;
};

/// "http://host:port/path?q" -> "http://host:port".
std::string origin_of(const std::string& url);

} // namespace hubspec::harness::detail
