// One connect attempt: negotiate (with redirects), transport selection and
// fallback, then the handshake. Used by start() and by each reconnect attempt.
#include "connect_attempt.hpp"

#include "http/http_url.hpp"
#include "http/negotiation.hpp"
#include "transports/long_polling_transport.hpp"
#include "transports/sse_transport.hpp"
#include "transports/transport_selection.hpp"
#include "transports/websocket_transport.hpp"

#include <hubspec/protocol/detail/helpers.hpp>
#include <hubspec/protocol/handshake.hpp>
#include <hubspec/protocol/texts.hpp>
#include <hubspec/protocol/url.hpp>

#include <algorithm>

namespace hubspec::client::detail {

namespace texts = protocol::texts;
using protocol::transport_type;

namespace {
std::shared_ptr<transport> make_transport(transport_type type, boost::asio::io_context& io,
                                          transport_settings settings) {
    switch (type) {
    case transport_type::server_sent_events: return make_sse_transport(io, std::move(settings));
    case transport_type::long_polling: return make_long_polling_transport(io, std::move(settings));
    case transport_type::websockets: break;
    }
    return make_websocket_transport(io, std::move(settings));
}

/// `url` without its negotiateVersion parameter (violation::negotiate_without_version).
std::string without_negotiate_version(const std::string& url) {
    for (std::string_view p : {"&negotiateVersion=1", "?negotiateVersion=1&", "?negotiateVersion=1"}) {
        const auto at = url.find(p);
        if (at == std::string::npos) continue;
        // Spliced rather than replace()d: GCC 12 warns (-Wstringop-overflow) on the inlined replace.
        return url.substr(0, at) + (p.ends_with('&') ? "?" : "") + url.substr(at + p.size());
    }
    return url;
}

/// Same scheme (TLS or not), host and port: where a connection's cookies may go.
bool same_origin(const std::string& a, const std::string& b) {
    const auto x = parse_http_url(a), y = parse_http_url(b);
    return x && y && x->secure() == y->secure() && protocol::detail::iequals(x->host, y->host) && x->port == y->port;
}
} // namespace

header_list request_headers(const connection_options& options, const std::optional<std::string>& access_token,
                            const cookie_jar& cookies) {
    header_list headers = options.headers;
    if (access_token) headers.emplace_back("Authorization", "Bearer " + *access_token); // NEG-032
    cookies.add_to(headers);
    return headers;
}

transport_settings settings_for_transport(const connection_options& options,
                                          const std::optional<std::string>& access_token, const cookie_jar& cookies,
                                          tracer trace) {
    return {request_headers(options, access_token, cookies),
            access_token,
            options.connect_timeout,
            options.tls,
            std::move(trace),
            options.violations};
}

connect_attempt::connect_attempt(boost::asio::io_context& io, const connection_options& options,
                                 const protocol::hub_protocol& protocol, tracer trace, handlers on)
    : io_(io), options_(options), protocol_(protocol), trace_(std::move(trace)), on_(std::move(on)),
      handshake_timer_(io) {}

void connect_attempt::run() {
    auto self = shared_from_this(); // `done` may drop the connection's reference
    if (options_.access_token_provider) {
        try {
            auto token = options_.access_token_provider();
            if (!token.empty()) access_token_ = std::move(token);
        } catch (const std::exception& e) {
            return fail(std::string("The access token provider failed: ") + e.what());
        }
    }
    if (options_.skip_negotiation) {
        // NEG-028: only a direct WebSocket may skip negotiate.
        if (options_.transports.size() != 1 || options_.transports.front() != transport_type::websockets)
            return fail(std::string(texts::skip_negotiation_needs_websockets));
        on_.on_connection_id(std::nullopt);
        transport_url_ = options_.url;
        return start_transport(transport_type::websockets, options_.url, false);
    }
    negotiate(options_.url, 0);
}

void connect_attempt::run_reopening(transport_type type, std::string url) {
    transport_url_ = url;
    start_transport(type, std::move(url), false);
}

void connect_attempt::cancel() {
    if (finished_) return;
    finished_ = true;
    release();
    on_ = {};
}

void connect_attempt::negotiate(std::string url, int redirects) {
    const auto& violations = options_.violations;
    // NEG-002, NEG-003, NEG-025
    auto request_url = protocol::negotiate_url(url, options_.stateful_reconnect &&
                                                        !violations.contains(violation::stateful_not_requested));
    if (violations.contains(violation::negotiate_without_version)) request_url = without_negotiate_version(request_url);
    http_ = async_http_request(
        io_, "POST", request_url, request_headers(options_, access_token_, cookies_), options_.tls, {},
        options_.connect_timeout, trace_,
        [self = shared_from_this(), url, redirects](std::optional<std::string> error, http_response response) {
            if (self->finished_) return;
            self->http_.reset();
            if (error) return self->fail("Failed to complete negotiation with the server: " + *error);
            self->cookies_.take(response.headers);
            auto step = interpret_negotiate(response, self->options_.stateful_reconnect);
            if (auto* failed = std::get_if<negotiate_failed>(&step))
                return self->fail(self->options_.violations.contains(violation::negotiate_error_hidden)
                                      ? std::string("Negotiation failed.")
                                      : failed->error);
            if (auto* redirect = std::get_if<negotiate_redirect>(&step)) {
                if (redirects + 1 > max_negotiate_redirects)
                    return self->fail(std::string(texts::redirection_limit_exceeded)); // NEG-019
                if (redirect->access_token && !self->options_.violations.contains(violation::redirect_drops_token))
                    self->access_token_ = redirect->access_token;          // NEG-018
                if (!same_origin(url, redirect->url)) self->cookies_ = {}; // cookies belong to their host
                return self->negotiate(redirect->url, redirects + 1);
            }
            auto& accepted = std::get<negotiate_accepted>(step);
            self->on_.on_connection_id(accepted.connection_id);
            self->negotiated_url_ = url;
            self->offered_transports_ = accepted.response.available_transports;
            auto choice = select_transports(self->offered_transports_, self->options_.transports,
                                            self->protocol_.format(), self->transport_failures_); // NEG-030
            if (choice.candidates.empty()) return self->fail(no_transport_error(choice.reasons));
            // NEG-021, NEG-035: the token (v1) or the id (v0) as `id`.
            auto transport_url = protocol::append_query_parameter(
                url, "id",
                self->options_.violations.contains(violation::connection_id_as_token) ? accepted.connection_id
                                                                                      : accepted.transport_id);
            self->stateful_negotiated_ = accepted.response.use_stateful_reconnect;
            self->transport_url_ = transport_url;
            if (self->options_.violations.contains(violation::transports_in_reverse))
                std::reverse(choice.candidates.begin(), choice.candidates.end());
            self->start_transport(choice.candidates.front(), std::move(transport_url), choice.candidates.size() > 1);
        });
}

void connect_attempt::start_transport(transport_type type, std::string url, bool more_candidates) {
    transport_ = make_transport(type, io_, settings_for_transport(options_, access_token_, cookies_, trace_));
    auto starting = transport_; // kept alive through start() even if a handler drops transport_
    starting->start(
        url, protocol_.format(),
        [self = shared_from_this(), type, more_candidates](std::optional<std::string> error) {
            if (self->finished_) return;
            self->on_transport_started(std::move(error), type, more_candidates);
        },
        on_.events.on_data, on_.events.on_closed);
}

void connect_attempt::on_transport_started(std::optional<std::string> error, transport_type type,
                                           bool more_candidates) {
    if (error) {
        transport_.reset();
        if (options_.skip_negotiation) return fail(*error);
        transport_failures_.push_back({type, *error});
        if (more_candidates && options_.violations.contains(violation::fallback_reuses_token)) {
            auto choice =
                select_transports(offered_transports_, options_.transports, protocol_.format(), transport_failures_);
            if (!choice.candidates.empty())
                return start_transport(choice.candidates.front(), transport_url_, choice.candidates.size() > 1);
        }
        if (more_candidates) return negotiate(negotiated_url_, 0); // a fresh negotiate (and token) first (NEG-031)
        auto choice =
            select_transports(offered_transports_, options_.transports, protocol_.format(), transport_failures_);
        return fail(no_transport_error(choice.reasons));
    }
    transport_type_ = type;
    protocol::client_connection_options client;
    client.protocol = &protocol_;
    client.timing.server_timeout = options_.server_timeout;
    client.timing.keep_alive_interval = options_.keep_alive_interval;
    client.timing.handshake_timeout = options_.handshake_timeout;
    // Long polling keeps itself alive: no Pings and no server timeout on it (LP-019, KA-008).
    if (type == transport_type::long_polling) client.timing.transport = protocol::transport_keep_alive::inherent;
    // HS-001, HS-003: version 2 asks for stateful reconnect, which only WebSockets resumes (SR-001, SR-003).
    client.stateful_reconnect = stateful_negotiated_ && type == transport_type::websockets;
    conn_.emplace(client, protocol::connection_options{}, clock::now()); // the request goes out now (HS-017)
    for (auto& chunk : conn_->take_data()) {
        if (options_.violations.contains(violation::handshake_without_separator) && chunk.ends_with('\x1e'))
            chunk.pop_back();
        transport_->send(std::move(chunk));
    }
    arm_handshake_timer();
}

void connect_attempt::receive(std::string_view bytes) {
    if (finished_ || !conn_) return;
    auto self = shared_from_this();
    conn_->receive_data(bytes, clock::now()); // KA-005: anything at all
    // Before the handshake completes, the connection has nothing else to say (HS-016).
    auto event = conn_->next_event(clock::now());
    if (auto* failed = std::get_if<protocol::handshake_failed_event>(&event))
        return fail(options_.violations.contains(violation::handshake_error_hidden)
                        ? std::string("The handshake failed.")
                        : failed->error.message);
    if (!std::holds_alternative<protocol::handshake_completed>(event)) return;
    finished_ = true;
    handshake_timer_.cancel();
    auto done = std::move(on_.done);
    on_ = {};
    established_link link{std::move(transport_),     transport_type_,          std::move(*conn_),
                          std::move(transport_url_), std::move(access_token_), std::move(cookies_)};
    conn_.reset();
    done(std::move(link));
}

void connect_attempt::closed(const transport_closed& closed) {
    transport_.reset();
    fail(closed.error.value_or("The server closed the connection before the handshake completed."));
}

// ---- the handshake's deadline (HS-017) ----------------------------------------

void connect_attempt::arm_handshake_timer() {
    auto deadline = conn_->next_keep_alive_deadline();
    if (!deadline) return;
    handshake_timer_.expires_at(*deadline);
    handshake_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec || self->finished_) return;
        auto due = self->conn_->poll_keep_alive(clock::now());
        switch (due.action) {
        case protocol::keep_alive_action::none:
        case protocol::keep_alive_action::send_ping: break; // no Ping before the handshake completes
        case protocol::keep_alive_action::handshake_timeout:
            return self->fail(due.text.empty() ? std::string("The handshake timed out.") : std::string(due.text));
        case protocol::keep_alive_action::peer_timeout: return self->fail(std::string(texts::server_timeout_elapsed));
        }
        self->arm_handshake_timer();
    });
}

void connect_attempt::fail(std::string error) {
    if (finished_) return;
    finished_ = true;
    release();
    auto done = std::move(on_.done);
    on_ = {};
    if (done) done(std::move(error));
}

void connect_attempt::release() {
    if (http_) {
        http_->cancel();
        http_.reset();
    }
    if (transport_) {
        transport_->abort();
        transport_.reset();
    }
    handshake_timer_.cancel();
    conn_.reset();
}

} // namespace hubspec::client::detail
