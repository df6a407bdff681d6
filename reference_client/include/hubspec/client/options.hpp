#pragma once
// Everything a hub connection is configured with; hub_connection_builder fills it.

#include "hubspec/client/retry_policy.hpp"
#include "hubspec/client/tls_options.hpp"
#include "hubspec/client/trace.hpp"
#include "hubspec/client/violations.hpp"

#include <hubspec/protocol/keep_alive.hpp>
#include <hubspec/protocol/negotiate.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hubspec::client {

using protocol::transport_type;

enum class hub_protocol_kind { json, messagepack };

struct connection_options {
    std::string url;
    /// Transports the client may use, tried in the server's order (NEG-030); empty = all.
    std::vector<transport_type> transports;
    hub_protocol_kind protocol = hub_protocol_kind::json;
    /// Connect straight to the WebSocket without negotiate (NEG-028, NEG-029).
    bool skip_negotiation = false;
    /// Ask for stateful reconnect (NEG-025): a dropped WebSocket resumes without loss (SR-*).
    bool stateful_reconnect = false;
    std::vector<std::pair<std::string, std::string>> headers;
    /// Called before each connect; its token goes in `Authorization: Bearer` (NEG-032).
    std::function<std::string()> access_token_provider;
    /// Certificate checks for https:// and wss:// (every request and transport of the connection).
    tls_options tls;
    std::optional<retry_policy> reconnect;                                                 // off unless set (RC-001)
    std::chrono::milliseconds keep_alive_interval = protocol::default_keep_alive_interval; // KA-006
    std::chrono::milliseconds server_timeout = protocol::default_server_timeout;           // KA-005
    std::chrono::milliseconds handshake_timeout = protocol::default_handshake_timeout;     // HS-017
    /// Bounds a single HTTP request (negotiate) or WebSocket connect.
    std::chrono::milliseconds connect_timeout{30'000};
    /// Sees every HTTP exchange and transport payload (the harness's transcripts); empty = off.
    trace_handler trace;
    /// Requirements broken on purpose (hubspec-client --agent --violate; tests of the harness only).
    violation_set violations;
};

} // namespace hubspec::client
