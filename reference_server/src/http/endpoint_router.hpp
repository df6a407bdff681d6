#pragma once
// The HTTP side of the server as a pure decision: a request (plain data) goes
// in, a reply or "accept this WebSocket" comes out. Negotiate (NEG-*), the
// transport requests' id checks (WS-003..006, WS-014/015), tokens and the
// redirect live here; Beast only moves bytes (beast_server.cpp).

#include "deferred_reply.hpp"
#include "endpoint_types.hpp"
#include "fault_state.hpp"
#include "hub/hub_connection.hpp"
#include "hub/hub_lifetime.hpp"
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

    endpoint_router(server_options options, scheduler& timers) : options_(std::move(options)), timers_(timers) {
        faults_->violations = options_.violations; // hub connections read them through the fault state
    }

    void add_hub(std::string path, hub h, endpoint_options options);
    /// Another path for the hub at `hub_path`, sharing its lifetime; throws if there is none.
    void add_hub_alias(std::string path, const std::string& hub_path, endpoint_options options);
    void enable_tokens(std::string redirect_path, std::string redirect_target);

    route_result route(const http_request& request);

    /// The WebSocket or event stream `sink` of the connection behind `token` ended.
    /// Unless a stateful connection now waits for a resume (SR-012), the connection
    /// ends and later requests get 404 (SSE-013). A transport already replaced is ignored.
    void transport_ended(const std::string& token, const transport_sink* sink, transport_end how);
    /// Drops what waited too long (KA-010, scan every 1 s): negotiated connections no
    /// transport activated (NEG-036), long polling without a poll (LP-011), stateful
    /// connections not resumed (SR-012).
    void sweep(clock::time_point now);
    std::size_t connection_count() const noexcept { return connections_.size(); }

    /// Issues a token for `user` (the /token endpoint).
    std::string issue_token(const std::string& user);

    // ---- the control API (control.hpp; I/O thread only) ---------------------

    fault_state& faults() noexcept { return *faults_; }
    /// How long one write to a WebSocket or event stream may take (KA-011).
    std::chrono::milliseconds transport_send_timeout() const noexcept {
        if (violates(violation::no_transport_send_timeout)) return std::chrono::hours{24 * 365};
        return options_.transport_send_timeout;
    }
    /// Started connections not yet ended, of endpoint `hub_path` or (empty) of all.
    std::vector<connection_info> control_connections(std::string_view hub_path) const;
    /// False when no started connection has this id.
    bool control_drop(const std::string& connection_id);
    std::size_t control_drop_all();
    bool control_close(const std::string& connection_id, bool allow_reconnect, std::optional<std::string> error);

private:
    struct endpoint {
        std::string path;
        endpoint_options options;
        std::shared_ptr<hub_lifetime> lifetime;
    };
    struct negotiated_connection {
        std::string connection_id;
        const endpoint* owner = nullptr;
        bool stateful = false; // negotiate granted useStatefulReconnect (NEG-026)
        std::optional<protocol::transport_type> transport;
        bool active = false;              // a WebSocket or event stream is open
        clock::time_point inactive_since; // negotiated, or a stateful WebSocket dropped
        std::shared_ptr<hub_connection> hub;
        std::shared_ptr<long_polling_transport> polling;
        std::string early_input; // POSTed before the transport started: fed at the start
    };

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
    /// Forgets `token` and ends its connection without writing (LP-017, SSE-013).
    void dispose(const std::string& token);
    /// dispose(), unless long polling still has data to deliver (LP-009).
    void dispose_if_done(const std::string& token);
    /// The user of a valid bearer token (header, or access_token in the query of a
    /// WebSocket request, NEG-034); nullopt when absent or invalid.
    std::optional<std::string> authenticate(const http_request& request, std::string_view query) const;
    /// The token of the started, not ended connection with this id; nullopt if none.
    std::optional<std::string> token_of(const std::string& connection_id) const;
    void drop_token(const std::string& token);
    /// The --violate switches that bend a successful negotiate response (NEG-007).
    void break_negotiate_response(const protocol::negotiate_request& asked,
                                  protocol::negotiate_response& response) const;
    bool violates(violation v) const noexcept { return faults_->violates(v); }

    server_options options_;
    scheduler& timers_;
    std::shared_ptr<fault_state> faults_ = std::make_shared<fault_state>();
    std::vector<std::unique_ptr<endpoint>> endpoints_;
    std::unordered_map<std::string, negotiated_connection> connections_; // by token (NEG-022)
    std::unordered_map<std::string, std::string> tokens_;                // token -> user
    bool tokens_enabled_ = false;
    std::string redirect_path_;
    std::string redirect_target_;
};

/// 16 random bytes as 22 base64url characters (NEG-012).
std::string random_identifier();

} // namespace hubspec::server::detail
