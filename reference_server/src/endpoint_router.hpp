#pragma once
// The HTTP side of the server as a pure decision: a request (plain data) goes
// in, a reply or "accept this WebSocket" comes out. Negotiate (NEG-*), the
// transport requests' id checks (WS-003..006, WS-014/015), tokens and the
// redirect live here; Beast only moves bytes (beast_server.cpp).

#include "hub_connection.hpp"
#include "hub_lifetime.hpp"
#include "scheduler.hpp"

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

struct http_request {
    std::string method;  // "GET", "POST", …
    std::string target;  // path and query
    std::vector<std::pair<std::string, std::string>> headers;
    bool websocket_upgrade = false;

    std::optional<std::string> header(std::string_view name) const;
};

struct http_reply {
    unsigned status = 200;
    std::string content_type = "text/plain";
    std::string body;
};

struct websocket_accept {
    std::shared_ptr<hub_lifetime> lifetime;
    connection_identity identity;
    std::string token;  // the registry key, to forget the connection when it ends
};

using route_result = std::variant<http_reply, websocket_accept>;

class endpoint_router {
public:
    using clock = std::chrono::steady_clock;

    endpoint_router(server_options options, scheduler& timers) : options_(std::move(options)), timers_(timers) {}

    void add_hub(std::string path, hub h, endpoint_options options);
    /// Another path for the hub at `hub_path`, sharing its lifetime; throws if there is none.
    void add_hub_alias(std::string path, const std::string& hub_path, endpoint_options options);
    void enable_tokens(std::string redirect_path, std::string redirect_target);

    route_result route(const http_request& request);

    /// The transport of the connection behind `token` ended: later requests get 404.
    void connection_ended(const std::string& token);
    /// Drops negotiated connections no transport activated in time (NEG-036, KA-010).
    void sweep(clock::time_point now);

    /// Issues a token for `user` (the /token endpoint).
    std::string issue_token(const std::string& user);

private:
    struct endpoint {
        std::string path;
        endpoint_options options;
        std::shared_ptr<hub_lifetime> lifetime;
    };
    struct negotiated_connection {
        std::string connection_id;
        const endpoint* owner = nullptr;
        std::optional<protocol::transport_type> transport;
        bool active = false;
        clock::time_point created;
    };

    http_reply negotiate(const endpoint& e, const http_request& request, std::string_view query);
    route_result transport_request(const endpoint& e, const http_request& request, std::string_view query);
    /// The user of a valid bearer token (header, or access_token in the query of a
    /// WebSocket request, NEG-034); nullopt when absent or invalid.
    std::optional<std::string> authenticate(const http_request& request, std::string_view query) const;

    server_options options_;
    scheduler& timers_;
    std::vector<std::unique_ptr<endpoint>> endpoints_;
    std::unordered_map<std::string, negotiated_connection> connections_;  // by token (NEG-022)
    std::unordered_map<std::string, std::string> tokens_;                 // token -> user
    bool tokens_enabled_ = false;
    std::string redirect_path_;
    std::string redirect_target_;
};

/// 16 random bytes as 22 base64url characters (NEG-012).
std::string random_identifier();

}  // namespace hubspec::server::detail
