#include "endpoint_router.hpp"

#include "control_endpoint.hpp"
#include "log.hpp"
#include "random_bytes.hpp"

#include "hubspec/protocol/detail/helpers.hpp"
#include "hubspec/protocol/json_value.hpp"
#include "hubspec/protocol/negotiate.hpp"
#include "hubspec/protocol/texts.hpp"
#include "hubspec/protocol/url.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <stdexcept>
#include <utility>

namespace hubspec::server::detail {

namespace p = hubspec::protocol;
using p::detail::iequals;

namespace {

http_reply text_reply(unsigned status, std::string_view body) {
    return {status, "text/plain", std::string(body)};
}

bool offers(const endpoint_options& options, p::transport_type t) {
    return std::find(options.transports.begin(), options.transports.end(), t) != options.transports.end();
}

/// "{transport} transport not supported by this end point type" (WS-006, SSE-003, LP-012).
http_reply transport_not_supported(p::transport_type t) {
    return text_reply(404, std::string(p::transport_name(t)) + " transport not supported by this end point type");
}

http_reply with_no_cache(http_reply reply) {
    reply.headers = no_cache_headers(); // LP-002: every long-polling GET response
    return reply;
}

} // namespace

std::string random_identifier() {
    const auto bytes = random_bytes();
    unsigned char raw[16];
    std::copy(bytes.begin(), bytes.end(), raw);
    return p::encode_connection_id(raw);
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
    e->lifetime = std::make_shared<hub_lifetime>(std::move(h), options_.hub, timers_, faults_);
    endpoints_.push_back(std::move(e));
}

void endpoint_router::add_hub_alias(std::string path, const std::string& hub_path, endpoint_options options) {
    auto served =
        std::find_if(endpoints_.begin(), endpoints_.end(), [&](const auto& e) { return e->path == hub_path; });
    if (served == endpoints_.end()) throw std::invalid_argument("no hub at " + hub_path);
    auto e = std::make_unique<endpoint>();
    e->path = std::move(path);
    e->options = std::move(options);
    e->lifetime = (*served)->lifetime;
    endpoints_.push_back(std::move(e));
}

void endpoint_router::for_each_hub(
    const std::function<void(const std::string& path, hub_lifetime& lifetime)>& visit) const {
    std::vector<const hub_lifetime*> seen;
    for (const auto& e : endpoints_) {
        if (std::find(seen.begin(), seen.end(), e->lifetime.get()) != seen.end()) continue;
        seen.push_back(e->lifetime.get());
        visit(e->path, *e->lifetime);
    }
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
    if (auto authorization = request.header("Authorization");
        authorization && authorization->size() > 7 && iequals(authorization->substr(0, 7), "Bearer ")) {
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
    if (faults_->tap.on_request)
        faults_->tap.on_request({request.method, request.target, request.websocket_upgrade,
                                 request.header("Authorization").has_value(), request.header("Accept").value_or("")});
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
        p::write_json_string(std::string(request.secure ? "https://" : "http://") +
                                 request.header("Host").value_or("127.0.0.1") + redirect_target_,
                             body);
        body += ",\"accessToken\":";
        p::write_json_string(issue_token("redirected"), body);
        body += '}';
        return http_reply{200, "application/json", std::move(body)};
    }
    if (options_.control_endpoints && (path == "/control" || path.starts_with("/control/"))) {
        return control_request(*this, request, path, query);
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
    if (hooks().negotiate_method(request.method) != "POST") {
        log_event("NEG-001", e.path, "405: negotiate with " + request.method);
        return text_reply(405, "");
    }
    if (auto scripted = std::exchange(faults_->next_negotiate, std::nullopt))
        return http_reply{scripted->status, "application/json", std::move(scripted->body)}; // the control API's
    p::negotiate_policy policy;
    policy.transports = e.options.transports;
    policy.allow_stateful_reconnects = e.options.allow_stateful_reconnects;
    const auto ids = hooks().connection_ids({random_identifier(), random_identifier()}); // NEG-012
    auto asked = p::negotiate_request_from_query(query);
    if (faults_->negotiate_version_zero) asked.negotiate_version.reset(); // the control API: a v0 server (NEG-020)
    auto response = p::negotiate(asked, policy, ids);
    http_reply reply{200, "application/json", p::write_negotiate_response(response)};
    hooks().negotiate_reply(asked, response, reply);
    if (response.error) {
        log_event("NEG-005/006", e.path, *response.error); // NEG-008: still 200, no connection
        return reply;
    }
    const std::string token = response.transport_id().value_or(ids.connection_id);
    negotiated_connection c;
    c.connection_id = *response.connection_id;
    c.owner = &e;
    c.stateful = response.use_stateful_reconnect;
    c.inactive_since = clock::now();
    if (faults_->tap.on_negotiated) faults_->tap.on_negotiated(c.connection_id, token);
    connections_.add(token, std::move(c));
    return reply;
}

route_result endpoint_router::transport_request(const endpoint& e, const http_request& request,
                                                std::string_view query) {
    const auto id = p::find_query_parameter(p::parse_query(query), "id");
    const auto accept = request.header("Accept");
    const bool event_stream = accept && accept->find("text/event-stream") != std::string::npos;
    const bool is_get = request.method == "GET";

    if (is_get && request.websocket_upgrade) return websocket_request(e, request, query, id);
    if (request.method != "POST" && request.method != "DELETE" && !is_get) return text_reply(405, "");

    const bool is_poll = is_get && !event_stream; // LP-001
    auto wrap = [&](http_reply reply) { return is_poll ? with_no_cache(std::move(reply)) : reply; };
    const std::string_view requirement = request.method == "POST"     ? "LP-014"
                                         : request.method == "DELETE" ? "LP-017"
                                         : is_poll                    ? "LP-012"
                                                                      : "SSE-002";
    if (!id || id->empty()) {
        log_event(requirement, e.path, "400: no id");
        auto reply = wrap(text_reply(400, p::texts::connection_id_required));
        if (is_get && event_stream) hooks().transport_reply(transport_response::event_stream_missing_id, reply);
        return reply;
    }
    auto* found = connections_.find(*id);
    if (!found || found->owner != &e) {
        log_event(requirement, e.path, "404: unknown id (" + request.method + ")");
        auto reply = wrap(text_reply(404, p::texts::no_connection_with_id));
        if (is_poll) hooks().transport_reply(transport_response::poll_unknown_id, reply);
        if (request.method == "POST") hooks().transport_reply(transport_response::post_unknown_id, reply);
        return reply;
    }
    const std::string token = *id;
    auto& c = *found;
    if (request.method == "POST") return send_request(c, token, request);
    if (request.method == "DELETE") return delete_request(c, token);
    if (event_stream) return sse_request(e, c, token, request, query);
    return poll_request(e, c, token, request, query);
}

route_result endpoint_router::websocket_request(const endpoint& e, const http_request& request, std::string_view query,
                                                const std::optional<std::string>& id) {
    if (!offers(e.options, p::transport_type::websockets)) {
        auto reply = transport_not_supported(p::transport_type::websockets); // WS-006
        hooks().transport_reply(transport_response::websocket_unsupported, reply);
        return reply;
    }
    if (faults_->refuse_websockets) {
        // The control API: a network that blocks WebSockets while negotiate still offers them.
        log_event("CTL", e.path, "503: WebSocket upgrade refused by the control API");
        return text_reply(503, "WebSockets are refused (hubspec-server control API: refuse-websockets)");
    }
    std::string token;
    if (!id) {
        token = random_identifier(); // NEG-029: a new connection without negotiate
        negotiated_connection fresh;
        fresh.connection_id = token;
        fresh.owner = &e;
        fresh.inactive_since = clock::now();
        connections_.add(token, std::move(fresh));
    } else {
        token = *id;
    }
    auto* found = connections_.find(token);
    if (!found || found->owner != &e) {
        log_event("WS-003", e.path, "404: unknown id");
        auto reply = text_reply(404, p::texts::no_connection_with_id);
        hooks().transport_reply(transport_response::websocket_unknown_id, reply);
        return reply;
    }
    auto& c = *found;
    if (c.transport && *c.transport != p::transport_type::websockets) {
        log_event("WS-005", c.connection_id, "400: transport change");
        auto reply = text_reply(400, p::texts::cannot_change_transports);
        hooks().transport_reply(transport_response::websocket_transport_change, reply);
        return reply;
    }
    if (c.hub) {
        // SR-011/SR-019: the token of a stateful connection brings its WebSocket back,
        // whether or not the drop of the previous one was noticed yet.
        if (c.hub->stateful() && !c.hub->closed()) {
            c.active = true;
            return websocket_accept{c.hub, token, true};
        }
        log_event("WS-004", c.connection_id, "409: transport already active");
        auto reply = text_reply(409, "");
        hooks().transport_reply(transport_response::websocket_conflict, reply);
        return reply;
    }
    c.transport = p::transport_type::websockets;
    c.active = true;
    c.early_input.clear(); // POST is not a WebSocket send (WS-014)
    c.hub = make_connection(e, c, p::transport_type::websockets, request, query);
    return websocket_accept{c.hub, token, false};
}

route_result endpoint_router::sse_request(const endpoint& e, negotiated_connection& c, const std::string& token,
                                          const http_request& request, std::string_view query) {
    if (!offers(e.options, p::transport_type::server_sent_events)) {
        log_event("SSE-003", c.connection_id, "404: Server-Sent Events are off on " + e.path);
        return transport_not_supported(p::transport_type::server_sent_events);
    }
    if (c.transport && *c.transport != p::transport_type::server_sent_events) {
        log_event("SSE-003", c.connection_id, "400: transport change");
        return text_reply(400, p::texts::cannot_change_transports);
    }
    if (c.hub) {
        log_event("SSE-003", c.connection_id, "409: an event stream is already open"); // no re-attach (SSE-013)
        auto reply = text_reply(409, "");
        hooks().transport_reply(transport_response::event_stream_conflict, reply);
        return reply;
    }
    c.transport = p::transport_type::server_sent_events;
    c.active = true;
    c.hub = make_connection(e, c, p::transport_type::server_sent_events, request, query);
    sse_accept accept{c.hub, token, {}};
    if (!c.early_input.empty()) {
        // Bytes POSTed before the stream opened: the session feeds them once started.
        accept.early_input = std::exchange(c.early_input, {});
    }
    return accept;
}

route_result endpoint_router::poll_request(const endpoint& e, negotiated_connection& c, const std::string& token,
                                           const http_request& request, std::string_view query) {
    if (!offers(e.options, p::transport_type::long_polling)) {
        log_event("LP-012", c.connection_id, "404: long polling is off on " + e.path);
        return with_no_cache(transport_not_supported(p::transport_type::long_polling));
    }
    if (c.transport && *c.transport != p::transport_type::long_polling) {
        log_event("LP-012", c.connection_id, "400: transport change");
        return with_no_cache(text_reply(400, p::texts::cannot_change_transports));
    }
    if (!c.polling) {
        // LP-003: the first poll starts the connection and returns at once, empty.
        c.transport = p::transport_type::long_polling;
        c.polling = std::make_shared<long_polling_transport>(timers_, options_.long_poll_timeout, hooks());
        c.hub = make_connection(e, c, p::transport_type::long_polling, request, query);
        auto hub = c.hub;
        hub->attach(c.polling);
        hub->start();
        if (!c.early_input.empty()) hub->on_data(std::exchange(c.early_input, {}));
        auto first = with_no_cache(http_reply{200, "application/octet-stream", "", {}});
        hooks().transport_reply(transport_response::poll, first);
        return first;
    }
    auto polling = c.polling;
    auto reply = polling->poll();
    if (polling->finished()) connections_.dispose(token); // LP-009: the 204 told the client; the token goes
    return reply;
}

http_reply endpoint_router::send_request(negotiated_connection& c, const std::string& token,
                                         const http_request& request) {
    if (c.transport == p::transport_type::websockets) {
        log_event("WS-014", c.connection_id, "405: POST on a WebSocket connection");
        auto reply = text_reply(405, p::texts::post_not_allowed_for_websockets);
        hooks().transport_reply(transport_response::websocket_post, reply);
        return reply;
    }
    if (!c.hub) {
        c.early_input += request.body; // before the transport: kept for its start, as .NET's pipe does
        return text_reply(200, "");
    }
    if (c.hub->closed()) {
        log_event("LP-014", c.connection_id, "404: POST to an ended connection");
        connections_.dispose_if_done(token);
        auto reply = text_reply(404, "");
        hooks().transport_reply(transport_response::post_unknown_id, reply);
        return reply;
    }
    auto hub = c.hub; // LP-016: requests run one at a time on the I/O thread: POSTs are serialized
    hub->on_data(request.body);
    return text_reply(200, ""); // LP-013
}

http_reply endpoint_router::delete_request(negotiated_connection& c, const std::string& token) {
    if (c.transport != p::transport_type::long_polling) {
        const bool websockets = c.transport == p::transport_type::websockets;
        log_event(websockets ? "WS-015" : "SSE-012", c.connection_id, "400: DELETE is for long polling only");
        auto reply = text_reply(400, p::texts::delete_not_allowed);
        if (websockets) hooks().transport_reply(transport_response::websocket_delete, reply);
        return reply;
    }
    log_event("LP-017", c.connection_id, "DELETE: connection ends");
    connections_.dispose(token);
    auto reply = text_reply(202, "");
    hooks().transport_reply(transport_response::long_poll_delete, reply);
    return reply;
}

std::shared_ptr<hub_connection> endpoint_router::make_connection(const endpoint& e, negotiated_connection& c,
                                                                 p::transport_type transport,
                                                                 const http_request& request,
                                                                 std::string_view query) const {
    connection_identity identity{c.connection_id, authenticate(request, query), transport, request.headers, c.stateful};
    return std::make_shared<hub_connection>(e.lifetime, std::move(identity));
}

} // namespace hubspec::server::detail
