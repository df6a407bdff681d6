#include "endpoint_router.hpp"

#include "log.hpp"

#include "hubspec/protocol/json_value.hpp"
#include "hubspec/protocol/negotiate.hpp"
#include "hubspec/protocol/texts.hpp"
#include "hubspec/protocol/url.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>
#include <sys/random.h>

namespace hubspec::server::detail {

namespace p = hubspec::protocol;

namespace {

bool iequals(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    });
}

http_reply text_reply(unsigned status, std::string_view body) { return {status, "text/plain", std::string(body)}; }

/// The transports this server can run so far; negotiate offers no others.
bool implemented(p::transport_type t) { return t == p::transport_type::websockets; }

}  // namespace

std::string random_identifier() {
    unsigned char bytes[16];
    std::size_t filled = 0;
    while (filled < sizeof bytes) {
        const ssize_t n = getrandom(bytes + filled, sizeof bytes - filled, 0);
        if (n < 0) throw std::runtime_error("getrandom failed");
        filled += static_cast<std::size_t>(n);
    }
    return p::encode_connection_id(bytes);
}

std::optional<std::string> http_request::header(std::string_view name) const {
    for (const auto& [key, v] : headers) {
        if (iequals(key, name)) return v;
    }
    return std::nullopt;
}

void endpoint_router::add_hub(std::string path, hub h, endpoint_options options) {
    auto e = std::make_unique<endpoint>();
    e->path = std::move(path);
    e->options = std::move(options);
    e->lifetime = std::make_shared<hub_lifetime>(std::move(h), options_.hub, timers_);
    endpoints_.push_back(std::move(e));
}

void endpoint_router::add_hub_alias(std::string path, const std::string& hub_path, endpoint_options options) {
    auto served = std::find_if(endpoints_.begin(), endpoints_.end(), [&](const auto& e) { return e->path == hub_path; });
    if (served == endpoints_.end()) throw std::invalid_argument("no hub at " + hub_path);
    auto e = std::make_unique<endpoint>();
    e->path = std::move(path);
    e->options = std::move(options);
    e->lifetime = (*served)->lifetime;
    endpoints_.push_back(std::move(e));
}

void endpoint_router::enable_tokens(std::string redirect_path, std::string redirect_target) {
    tokens_enabled_ = true;
    redirect_path_ = std::move(redirect_path);
    redirect_target_ = std::move(redirect_target);
}

std::string endpoint_router::issue_token(const std::string& user) {
    std::string token = random_identifier();
    tokens_[token] = user;
    return token;
}

std::optional<std::string> endpoint_router::authenticate(const http_request& request, std::string_view query) const {
    std::optional<std::string> token;
    if (auto authorization = request.header("Authorization"); authorization && authorization->size() > 7 &&
                                                              iequals(authorization->substr(0, 7), "Bearer ")) {
        token = authorization->substr(7);
    } else {
        // NEG-034: browsers cannot set headers on WebSocket and EventSource requests.
        const auto accept = request.header("Accept");
        const bool event_stream = accept && accept->find("text/event-stream") != std::string::npos;
        if (request.websocket_upgrade || event_stream) {
            token = p::find_query_parameter(p::parse_query(query), "access_token");
        }
    }
    if (!token) return std::nullopt;
    auto it = tokens_.find(*token);
    if (it == tokens_.end()) return std::nullopt;
    return it->second;
}

route_result endpoint_router::route(const http_request& request) {
    const auto question = request.target.find('?');
    const std::string_view path = std::string_view(request.target).substr(0, question);
    const std::string_view query =
        question == std::string::npos ? std::string_view{} : std::string_view(request.target).substr(question + 1);

    if (tokens_enabled_ && path == "/token") {
        if (request.method != "GET") return text_reply(405, "");
        const auto user = p::find_query_parameter(p::parse_query(query), "user");
        if (!user || user->empty()) return text_reply(400, "user is required");
        return text_reply(200, issue_token(*user));
    }
    if (tokens_enabled_ && !redirect_path_.empty() && path == redirect_path_ + "/negotiate") {
        if (request.method != "POST") return text_reply(405, "");
        // NEG-018: a redirect carries url and accessToken only.
        std::string body = "{\"url\":";
        p::write_json_string("http://" + request.header("Host").value_or("127.0.0.1") + redirect_target_, body);
        body += ",\"accessToken\":";
        p::write_json_string(issue_token("redirected"), body);
        body += '}';
        return http_reply{200, "application/json", std::move(body)};
    }
    for (const auto& e : endpoints_) {
        const bool is_negotiate = path.size() == e->path.size() + 10 && path.starts_with(e->path) &&
                                  path.substr(e->path.size()) == "/negotiate";
        if (!is_negotiate && path != e->path) continue;
        if (e->options.require_authorization && !authenticate(request, query)) {
            log_event("NEG-037", e->path, "401: no valid bearer token");
            return text_reply(401, "");
        }
        if (is_negotiate) return negotiate(*e, request, query);
        return transport_request(*e, request, query);
    }
    return text_reply(404, "");
}

http_reply endpoint_router::negotiate(const endpoint& e, const http_request& request, std::string_view query) {
    if (request.method != "POST") {
        log_event("NEG-001", e.path, "405: negotiate with " + request.method);
        return text_reply(405, "");
    }
    p::negotiate_policy policy;
    policy.transports.clear();
    for (auto t : e.options.transports) {
        if (implemented(t)) policy.transports.push_back(t);
    }
    policy.allow_stateful_reconnects = e.options.allow_stateful_reconnects;
    const p::connection_ids ids{random_identifier(), random_identifier()};
    auto response = p::negotiate(p::negotiate_request_from_query(query), policy, ids);
    if (response.error) {
        log_event("NEG-005/006", e.path, *response.error);  // NEG-008: still 200, no connection
        return {200, "application/json", p::write_negotiate_response(response)};
    }
    const std::string token = response.transport_id().value_or(ids.connection_id);
    connections_[token] = negotiated_connection{*response.connection_id, &e, std::nullopt, false, clock::now()};
    return {200, "application/json", p::write_negotiate_response(response)};
}

route_result endpoint_router::transport_request(const endpoint& e, const http_request& request,
                                                std::string_view query) {
    const auto parameters = p::parse_query(query);
    const auto id = p::find_query_parameter(parameters, "id");
    const auto& transports = e.options.transports;
    const bool websockets_enabled =
        std::find(transports.begin(), transports.end(), p::transport_type::websockets) != transports.end();

    if (request.websocket_upgrade && request.method == "GET") {
        if (!websockets_enabled) return text_reply(404, p::texts::websockets_not_supported);  // WS-006
        std::string token;
        if (!id) {
            token = random_identifier();  // NEG-029: a new connection without negotiate
            connections_[token] = negotiated_connection{token, &e, std::nullopt, false, clock::now()};
        } else {
            token = *id;
        }
        auto it = connections_.find(token);
        if (it == connections_.end() || it->second.owner != &e) {
            log_event("WS-003", e.path, "404: unknown id");
            return text_reply(404, p::texts::no_connection_with_id);
        }
        auto& c = it->second;
        if (c.transport && *c.transport != p::transport_type::websockets) {
            log_event("WS-005", c.connection_id, "400: transport change");
            return text_reply(400, p::texts::cannot_change_transports);
        }
        if (c.active) {
            log_event("WS-004", c.connection_id, "409: transport already active");
            return text_reply(409, "");
        }
        c.transport = p::transport_type::websockets;
        c.active = true;
        connection_identity identity{c.connection_id, authenticate(request, query), p::transport_type::websockets,
                                     request.headers};
        return websocket_accept{e.lifetime, std::move(identity), token};
    }

    if (!id) return text_reply(400, p::texts::connection_id_required);  // SSE-002, LP-012, LP-014
    auto it = connections_.find(*id);
    if (it == connections_.end() || it->second.owner != &e) return text_reply(404, p::texts::no_connection_with_id);
    auto& c = it->second;
    const bool is_websocket = c.transport == p::transport_type::websockets;
    if (request.method == "POST") {
        if (is_websocket) return text_reply(405, p::texts::post_not_allowed_for_websockets);  // WS-014
        return text_reply(404, p::texts::no_connection_with_id);
    }
    if (request.method == "DELETE") {
        if (is_websocket) return text_reply(400, p::texts::delete_not_allowed);  // WS-015
        return text_reply(404, p::texts::no_connection_with_id);
    }
    if (request.method == "GET") {
        if (c.transport) return text_reply(400, p::texts::cannot_change_transports);
        // Server-Sent Events and Long Polling are not served yet and never offered by negotiate.
        return text_reply(404, "Transport not supported by this end point type");
    }
    return text_reply(405, "");
}

void endpoint_router::connection_ended(const std::string& token) { connections_.erase(token); }

void endpoint_router::sweep(clock::time_point now) {
    std::erase_if(connections_, [&](const auto& entry) {
        const auto& c = entry.second;
        const bool expired = !c.active && now - c.created > options_.disconnect_timeout;
        if (expired) log_event("NEG-036", c.connection_id, "negotiated but never used: discarded");
        return expired;
    });
}

}  // namespace hubspec::server::detail
