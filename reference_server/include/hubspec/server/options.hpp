#pragma once
// Server and endpoint options, named after ASP.NET Core's (HubOptions,
// HttpConnectionDispatcherOptions) where one exists.

#include "hubspec/protocol/framing.hpp"
#include "hubspec/protocol/keep_alive.hpp"
#include "hubspec/protocol/negotiate.hpp"
#include "hubspec/protocol/stateful_reconnect.hpp"
#include "hubspec/protocol/target_settings.hpp"
#include "hubspec/server/violations.hpp"
#include "hubspec/server/wire_tap.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace hubspec::server {

struct hub_options {
    std::chrono::milliseconds keep_alive_interval = protocol::default_keep_alive_interval;         // KA-001
    std::chrono::milliseconds client_timeout_interval = protocol::default_client_timeout_interval; // KA-003
    std::chrono::milliseconds handshake_timeout = protocol::default_handshake_timeout;             // HS-009
    std::size_t maximum_receive_message_size = protocol::default_maximum_message_size;             // FRAME-009
    bool enable_detailed_errors = false;                                                           // ERR-003
    std::size_t stateful_reconnect_buffer_size = protocol::default_stateful_reconnect_buffer_size; // SR-010
};

/// Scale-out over ASP.NET Core's Redis backplane (shared/spec/redis-backplane.md): nodes with
/// the same Redis, prefix and hub type names form one cluster, ASP.NET Core nodes included.
struct backplane_options {
    std::string redis_host; // empty: one node, no backplane
    std::uint16_t redis_port = 6379;
    std::string redis_user;     // AUTH: Redis 6 ACL user (empty: the password alone)
    std::string redis_password; // AUTH (empty: none)
    std::string channel_prefix; // StackExchange.Redis ChannelPrefix (RB-001)
    /// Hub path -> the .NET hub type name its channels are keyed by (RB-002, RB-003);
    /// a hub not listed uses its own type name (hub::type_name()).
    std::map<std::string, std::string> hub_type_names;
    std::chrono::milliseconds ack_timeout{30000};           // group change for a remote connection (RB-060)
    std::chrono::milliseconds client_result_timeout{30000}; // client result from a remote connection (RB-070)
};

struct server_options {
    hub_options hub;
    backplane_options backplane;
    std::chrono::milliseconds disconnect_timeout =
        protocol::default_disconnect_timeout; // DisconnectTimeout (NEG-036, KA-010, LP-011, SR-012)
    std::chrono::milliseconds long_poll_timeout =
        protocol::default_long_poll_timeout; // LongPolling.PollTimeout (LP-006)
    std::chrono::milliseconds transport_send_timeout =
        protocol::default_transport_send_timeout; // TransportSendTimeout (KA-011)
    /// Failures are logged to stderr with their requirement ID; an embedding harness turns that off.
    bool log_to_stderr = true;
    /// PEM certificate chain and private key: the server speaks TLS only (https://, wss://).
    std::string tls_certificate_file;
    std::string tls_private_key_file;
    /// Threads that run the I/O loop (server::run): sockets spread over them, each connection on its own
    /// strand, while the hubs run on one strand (README: Threads). hubspec-server's --threads defaults to the cores.
    unsigned io_threads = 1;
    bool control_endpoints = false; // serve the control API over HTTP under /control/ (tests only: control.hpp)
    violation_set violations;       // requirements broken on purpose (--violate; tests of the harness only)
    wire_tap tap;                   // sees what clients send (the harness's client-under-test mode)
};

/// Sets the timings and limits of `options` from the settings table's values
/// (hubspec-server's options, the harness's embedded server, Python's).
inline void apply_target_settings(const protocol::target_settings& s, server_options& options) noexcept {
    options.hub.keep_alive_interval = s.keep_alive;
    options.hub.client_timeout_interval = s.client_timeout;
    options.hub.handshake_timeout = s.handshake_timeout;
    options.hub.maximum_receive_message_size = s.max_message_size;
    options.hub.stateful_reconnect_buffer_size = s.stateful_reconnect_buffer_size;
    options.disconnect_timeout = s.disconnect_timeout;
    options.long_poll_timeout = s.long_poll_timeout;
    options.transport_send_timeout = s.transport_send_timeout;
}

/// How one hub path is served (HttpConnectionDispatcherOptions).
struct endpoint_options {
    std::vector<protocol::transport_type> transports{protocol::transport_type::websockets,
                                                     protocol::transport_type::server_sent_events,
                                                     protocol::transport_type::long_polling};
    bool allow_stateful_reconnects = false; // AllowStatefulReconnects (NEG-026)
    bool require_authorization = false;     // 401 without a valid bearer token (NEG-037)
};

} // namespace hubspec::server
