#pragma once
// Builds a hub_connection the way HubConnectionBuilder does.

#include "hubspec/client/hub_connection.hpp"
#include "hubspec/client/options.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace hubspec::client {

class hub_connection_builder {
public:
    hub_connection_builder& with_url(std::string url);
    /// Allows `t`; call again to allow several. Without any call every transport is allowed.
    hub_connection_builder& with_transport(transport_type t);
    hub_connection_builder& with_hub_protocol(hub_protocol_kind p);
    hub_connection_builder& with_skip_negotiation(bool skip = true);
    /// Stateful reconnect (SR-*): over WebSockets, an ungraceful drop resumes the same connection.
    hub_connection_builder& with_stateful_reconnect(bool enabled = true);
    hub_connection_builder& with_header(std::string name, std::string value);
    hub_connection_builder& with_access_token_provider(std::function<std::string()> provider);
    /// Certificate checks for https:// and wss:// URLs (default: the system's CAs, full check).
    hub_connection_builder& with_tls(tls_options tls);
    /// Default delays 0, 2, 10, 30 s (RC-002).
    hub_connection_builder& with_automatic_reconnect();
    hub_connection_builder& with_automatic_reconnect(std::vector<std::chrono::milliseconds> delays);
    hub_connection_builder& with_automatic_reconnect(retry_policy policy);
    hub_connection_builder& with_keep_alive_interval(std::chrono::milliseconds interval);
    hub_connection_builder& with_server_timeout(std::chrono::milliseconds timeout);
    hub_connection_builder& with_handshake_timeout(std::chrono::milliseconds timeout);
    /// Every HTTP exchange, transport open/close, payload and state change (trace.hpp).
    hub_connection_builder& with_trace(trace_handler handler);
    /// Breaks requirements on purpose (violations.hpp): for tests of the harness only.
    hub_connection_builder& with_violations(violation_set violations);

    const connection_options& options() const noexcept { return options_; }
    /// Throws std::invalid_argument without a URL.
    hub_connection build() const;

private:
    connection_options options_;
};

} // namespace hubspec::client
