#include "engine/target.hpp"

#include "engine/http_exchange.hpp"

#include <hubspec/protocol/json_value.hpp>
#include <hubspec/protocol/negotiate.hpp>
#include <hubspec/protocol/url.hpp>

namespace hubspec::harness::detail {

std::string origin_of(const std::string& url) {
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string::npos) return url;
    const auto path = url.find_first_of("/?#", scheme_end + 3);
    return path == std::string::npos ? url : url.substr(0, path);
}

target::target(std::string hub_url, std::map<std::string, std::string> endpoint_urls, protocol::target_settings timings)
    : hub_url_(std::move(hub_url)), origin_(origin_of(hub_url_)), endpoint_urls_(std::move(endpoint_urls)),
      timings_(timings) {}

std::string target::endpoint_url(const std::string& name) const {
    if (name.empty() || name == "hub") return hub_url_;
    if (auto it = endpoint_urls_.find(name); it != endpoint_urls_.end()) return it->second;
    return origin_ + "/" + name;
}

std::string target::endpoint_url_on(std::size_t n, const std::string& name) const {
    if (n <= 1) return endpoint_url(name);
    if (n > node_count())
        throw std::out_of_range("node " + std::to_string(n) + " of a cluster of " + std::to_string(node_count()) +
                                " (give the others with --node URL)");
    const std::string& node = nodes_[n - 2];
    if (name.empty() || name == "hub") return node;
    const std::string url = endpoint_url(name);
    return origin_of(node) + url.substr(origin_of(url).size());
}

bool target::endpoint_present(const std::string& name) {
    {
        std::lock_guard lock(mutex_);
        if (auto it = present_.find(name); it != present_.end()) return it->second;
    }
    bool present = false;
    if (name == "token") {
        try {
            const auto url = protocol::append_query_parameter(endpoint_url(name), "user", "hubspec-probe");
            present =
                http_exchange("GET", url, creds_.request_headers(), {}, std::chrono::milliseconds(10'000), creds_.tls())
                    .status == 200;
        } catch (const std::exception&) {}
    } else {
        present = offered_transports(name).has_value();
    }
    std::lock_guard lock(mutex_);
    return present_.emplace(name, present).first->second;
}

std::optional<std::vector<protocol::transport_type>> target::offered_transports(const std::string& endpoint_name) {
    {
        std::lock_guard lock(mutex_);
        if (auto it = offered_.find(endpoint_name); it != offered_.end()) return it->second;
    }
    std::optional<std::vector<protocol::transport_type>> offered;
    try {
        const auto url =
            protocol::append_query_parameter(endpoint_url(endpoint_name) + "/negotiate", "negotiateVersion", "1");
        auto reply =
            http_exchange("POST", url, creds_.request_headers(), {}, std::chrono::milliseconds(10'000), creds_.tls());
        if (reply.status == 200) {
            auto parsed = protocol::parse_negotiate_response(reply.body);
            if (parsed) { // a redirect lists none: present, nothing offered here
                offered.emplace();
                for (const auto& t : parsed->available_transports)
                    if (auto type = protocol::parse_transport_name(t.transport)) offered->push_back(*type);
            }
        } else if (reply.status == 401) {
            offered = std::vector{protocol::transport_type::websockets, protocol::transport_type::server_sent_events,
                                  protocol::transport_type::long_polling}; // present, needs a token to say more
        }
    } catch (const std::exception&) {
        // unreachable: absent
    }
    std::lock_guard lock(mutex_);
    return offered_.emplace(endpoint_name, std::move(offered)).first->second;
}

std::string target::method_name(const std::string& name) const {
    const auto* method = find_contract_method(name);
    if (!method) return name;
    const auto it = roles_.find(std::string(method->name));
    return it == roles_.end() ? name : it->second;
}

const method_probe& target::methods_of(const std::string& endpoint) {
    std::lock_guard probing(probe_mutex_);
    if (auto it = probes_.find(endpoint); it != probes_.end()) return it->second;
    std::vector<std::string> names;
    for (const auto& m : contract_methods())
        if (m.endpoint == endpoint) names.push_back(method_name(std::string(m.name)));
    method_probe probe;
    if (auto offered = offered_transports(endpoint); !offered)
        probe.problem = endpoint_url(endpoint) + " does not negotiate";
    else
        probe = probe_methods(endpoint_url(endpoint), *offered, names, method_name("Abort"),
                              std::chrono::milliseconds(10'000), creds_);
    return probes_.emplace(endpoint, std::move(probe)).first->second;
}

std::string target::method_missing(const std::string& name) {
    const auto* method = find_contract_method(name);
    if (!method) return {}; // not the contract's: the steps find out
    const auto& probe = methods_of(std::string(method->endpoint));
    const auto used = method_name(name);
    const auto it = probe.missing.find(used);
    if (it == probe.missing.end()) return {};
    const auto role =
        used == std::string(method->name) ? std::string() : " (standing in for " + std::string(method->name) + ")";
    return "contract method " + used + role + " is missing at " + endpoint_url(std::string(method->endpoint)) +
           " (the server said: " + it->second + ")";
}

} // namespace hubspec::harness::detail
