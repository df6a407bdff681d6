#include "hubspec/client/hub_connection_builder.hpp"

#include <algorithm>
#include <stdexcept>

namespace hubspec::client {

hub_connection_builder& hub_connection_builder::with_url(std::string url) {
    options_.url = std::move(url);
    return *this;
}
hub_connection_builder& hub_connection_builder::with_transport(transport_type t) {
    if (std::find(options_.transports.begin(), options_.transports.end(), t) == options_.transports.end())
        options_.transports.push_back(t);
    return *this;
}
hub_connection_builder& hub_connection_builder::with_hub_protocol(hub_protocol_kind p) {
    options_.protocol = p;
    return *this;
}
hub_connection_builder& hub_connection_builder::with_skip_negotiation(bool skip) {
    options_.skip_negotiation = skip;
    return *this;
}
hub_connection_builder& hub_connection_builder::with_stateful_reconnect(bool enabled) {
    options_.stateful_reconnect = enabled;
    return *this;
}
hub_connection_builder& hub_connection_builder::with_header(std::string name, std::string value) {
    options_.headers.emplace_back(std::move(name), std::move(value));
    return *this;
}
hub_connection_builder& hub_connection_builder::with_tls(tls_options tls) {
    options_.tls = std::move(tls);
    return *this;
}

hub_connection_builder& hub_connection_builder::with_access_token_provider(std::function<std::string()> provider) {
    options_.access_token_provider = std::move(provider);
    return *this;
}
hub_connection_builder& hub_connection_builder::with_automatic_reconnect() {
    return with_automatic_reconnect(default_reconnect_delays());
}
hub_connection_builder&
hub_connection_builder::with_automatic_reconnect(std::vector<std::chrono::milliseconds> delays) {
    return with_automatic_reconnect(delays_policy(std::move(delays)));
}
hub_connection_builder& hub_connection_builder::with_automatic_reconnect(retry_policy policy) {
    options_.reconnect = std::move(policy);
    return *this;
}
hub_connection_builder& hub_connection_builder::with_keep_alive_interval(std::chrono::milliseconds interval) {
    options_.keep_alive_interval = interval;
    return *this;
}
hub_connection_builder& hub_connection_builder::with_server_timeout(std::chrono::milliseconds timeout) {
    options_.server_timeout = timeout;
    return *this;
}
hub_connection_builder& hub_connection_builder::with_handshake_timeout(std::chrono::milliseconds timeout) {
    options_.handshake_timeout = timeout;
    return *this;
}

hub_connection_builder& hub_connection_builder::with_trace(trace_handler handler) {
    options_.trace = std::move(handler);
    return *this;
}

hub_connection_builder& hub_connection_builder::with_violations(violation_set violations) {
    options_.violations = violations;
    return *this;
}

hub_connection hub_connection_builder::build() const {
    if (options_.url.empty()) throw std::invalid_argument("hub_connection_builder: with_url() was not called");
    return hub_connection(options_);
}

} // namespace hubspec::client
