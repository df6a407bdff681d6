#pragma once
// The HTTP side of the server as a pure decision: a request (plain data) goes
// in, a reply or "accept this WebSocket" comes out. Negotiate (NEG-*), the
// transport requests' id checks (WS-003..006, WS-014/015), tokens and the
// redirect live here; Beast only moves bytes (adapter/beast_server.cpp). The
// connections live in the registry, the control API's operations in connection_control.

#include "connection_control.hpp"
#include "connection_registry.hpp"
#include "deferred_reply.hpp"
#include "endpoint_types.hpp"
#include "fault_state.hpp"
#include "hub/hub_connection.hpp"
#include "hub_endpoint.hpp"
#include "long_polling_transport.hpp"
#include "scheduler.hpp"

#include "hubspec/server/control.hpp"
#include "hubspec/server/hub.hpp"
#include "hubspec/server/options.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace hubspec::server::detail {

/// Upgrade to a WebSocket serving `connection`: a new one (attach, then start),
/// or a stateful connection resuming on it (SR-011, SR-019).
struct websocket_accept {
    std::shared_ptr<hub_connection> connection;
    std::string token; // the registry key, for transport_ended()
    bool resume = false;
};

/// Answer with an event stream serving `connection` (SSE-004, SSE-005).
struct sse_accept {
    std::shared_ptr<hub_connection> connection;
    std::string token;
    std::string early_input; // POSTed before the stream opened: feed after start()
};

using route_result = std::variant<http_reply, websocket_accept, sse_accept, std::shared_ptr<deferred_reply>>;

class endpoint_router {
public:
    using clock = std::chrono::steady_clock;

    endpoint_router(server_options options, scheduler& timers)
        : options_(std::move(options)), timers_(timers), connections_(options_.disconnect_timeout) {
        faults_->violations = options_.violations; // hub connections read them through the fault state
        faults_->tap = options_.tap;
    }

    void add_hub(std::string path, hub h, endpoint_options options);
    /// Another path for the hub at `hub_path`, sharing its lifetime; throws if there is none.
    void add_hub_alias(std::string path, const std::string& hub_path, endpoint_options options);
    /// Each hub once, at the path it was added at (aliases share its lifetime).
    void for_each_hub(const std::function<void(const std::string& path, hub_lifetime& lifetime)>& visit) const;
    void enable_tokens(std::string redirect_path, std::string redirect_target);

    route_result route(const http_request& request);

    /// The WebSocket or event stream `sink` of the connection behind `token` ended
    /// (connection_registry::transport_ended).
    void transport_ended(const std::string& token, const transport_sink* sink, transport_end how) {
        connections_.transport_ended(token, sink, how);
    }
    /// Drops what waited too long (connection_registry::sweep).
    void sweep(clock::time_point now) { connections_.sweep(now); }
    std::size_t connection_count() const noexcept { return connections_.size(); }
    /// How many connections ended since the last call.
    std::size_t take_ended_count() noexcept { return connections_.take_ended_count(); }
    /// The control API's operations on connections (I/O thread only).
    connection_control& control() noexcept { return control_; }

    /// Issues a token for `user` (the /token endpoint).
    std::string issue_token(const std::string& user);

    fault_state& faults() noexcept { return *faults_; }
    /// How long one write to a WebSocket or event stream may take (KA-011).
    std::chrono::milliseconds transport_send_timeout() const noexcept {
        return hooks().timeout_of(timeout::transport_send, options_.transport_send_timeout);
    }

private:
    using endpoint = hub_endpoint;

    http_reply negotiate(const endpoint& e, const http_request& request, std::string_view query);
    route_result transport_request(const endpoint& e, const http_request& request, std::string_view query);
    route_result websocket_request(const endpoint& e, const http_request& request, std::string_view query,
                                   const std::optional<std::string>& id);
    route_result sse_request(const endpoint& e, negotiated_connection& c, const std::string& token,
                             const http_request& request, std::string_view query);
    route_result poll_request(const endpoint& e, negotiated_connection& c, const std::string& token,
                              const http_request& request, std::string_view query);
    http_reply send_request(negotiated_connection& c, const std::string& token, const http_request& request);
    http_reply delete_request(negotiated_connection& c, const std::string& token);
    std::shared_ptr<hub_connection> make_connection(const endpoint& e, negotiated_connection& c,
                                                    protocol::transport_type transport, const http_request& request,
                                                    std::string_view query) const;
    /// The user of a valid bearer token (header, or access_token in the query of a
    /// WebSocket request, NEG-034); nullopt when absent or invalid.
    std::optional<std::string> authenticate(const http_request& request, std::string_view query) const;
    violation_hooks hooks() const noexcept { return faults_->hooks(); }

    server_options options_;
    scheduler& timers_;
    std::shared_ptr<fault_state> faults_ = std::make_shared<fault_state>();
    std::vector<std::unique_ptr<endpoint>> endpoints_;
    connection_registry connections_; // by token (NEG-022)
    connection_control control_{connections_};
    std::unordered_map<std::string, std::string> tokens_; // token -> user
    bool tokens_enabled_ = false;
    std::string redirect_path_;
    std::string redirect_target_;
};

/// 16 random bytes as 22 base64url characters (NEG-012).
std::string random_identifier();

} // namespace hubspec::server::detail
