// One connect attempt: negotiate (with redirects), transport selection and
// fallback, then the handshake. Used by start() and by each reconnect attempt.
#include "connection_core.hpp"

#include "http/negotiation.hpp"
#include "transports/long_polling_transport.hpp"
#include "transports/sse_transport.hpp"
#include "transports/transport_selection.hpp"
#include "transports/websocket_transport.hpp"

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
} // namespace

void connection_core::connect(attempt_callback done) {
    attempt_done_ = std::move(done);
    ++epoch_;
    transport_failures_.clear();
    stateful_negotiated_ = false;
    conn_.reset();
    close_error_.reset();
    close_allows_reconnect_ = true;
    access_token_.reset();
    if (options_.access_token_provider) {
        try {
            auto token = options_.access_token_provider();
            if (!token.empty()) access_token_ = std::move(token);
        } catch (const std::exception& e) {
            return finish_attempt(std::string("The access token provider failed: ") + e.what());
        }
    }
    if (options_.skip_negotiation) {
        // NEG-028: only a direct WebSocket may skip negotiate.
        if (options_.transports.size() != 1 || options_.transports.front() != transport_type::websockets)
            return finish_attempt(std::string(texts::skip_negotiation_needs_websockets));
        {
            std::lock_guard lock(info_mutex_);
            connection_id_.reset();
        }
        transport_url_ = options_.url;
        return start_transport(transport_type::websockets, options_.url, false);
    }
    negotiate(options_.url, 0);
}

header_list connection_core::request_headers() const {
    header_list headers = options_.headers;
    if (access_token_) headers.emplace_back("Authorization", "Bearer " + *access_token_); // NEG-032
    return headers;
}

void connection_core::negotiate(std::string url, int redirects) {
    link_ = link::negotiating;
    auto request_url = protocol::negotiate_url(url, options_.stateful_reconnect); // NEG-002, NEG-003, NEG-025
    http_ = async_http_request(
        io_, "POST", request_url, request_headers(), {}, options_.connect_timeout, trace_,
        [self = shared_from_this(), epoch = epoch_, url, redirects](std::optional<std::string> error,
                                                                    http_response response) {
            if (epoch != self->epoch_) return;
            self->http_.reset();
            if (error) return self->finish_attempt("Failed to complete negotiation with the server: " + *error);
            auto step = interpret_negotiate(response, self->options_.stateful_reconnect);
            if (auto* failed = std::get_if<negotiate_failed>(&step)) return self->finish_attempt(failed->error);
            if (auto* redirect = std::get_if<negotiate_redirect>(&step)) {
                if (redirects + 1 > max_negotiate_redirects)
                    return self->finish_attempt(std::string(texts::redirection_limit_exceeded)); // NEG-019
                if (redirect->access_token) self->access_token_ = redirect->access_token;        // NEG-018
                return self->negotiate(redirect->url, redirects + 1);
            }
            auto& accepted = std::get<negotiate_accepted>(step);
            {
                std::lock_guard lock(self->info_mutex_);
                self->connection_id_ = accepted.connection_id;
            }
            self->negotiated_url_ = url;
            self->offered_transports_ = accepted.response.available_transports;
            auto choice = select_transports(self->offered_transports_, self->options_.transports,
                                            self->protocol_->format(), self->transport_failures_); // NEG-030
            if (choice.candidates.empty()) return self->finish_attempt(no_transport_error(choice.reasons));
            // NEG-021, NEG-035: the token (v1) or the id (v0) as `id`.
            auto transport_url = protocol::append_query_parameter(url, "id", accepted.transport_id);
            self->stateful_negotiated_ = accepted.response.use_stateful_reconnect;
            self->transport_url_ = transport_url;
            self->start_transport(choice.candidates.front(), std::move(transport_url), choice.candidates.size() > 1);
        });
}

void connection_core::start_transport(transport_type type, std::string url, bool more_candidates) {
    link_ = link::transport_starting;
    transport_settings settings{request_headers(), access_token_, options_.connect_timeout, trace_};
    transport_ = make_transport(type, io_, std::move(settings));
    auto self = shared_from_this();
    auto epoch = epoch_;
    auto starting = transport_; // kept alive through start() even if a handler drops transport_
    starting->start(
        url, protocol_->format(),
        [self, epoch, type, more_candidates](std::optional<std::string> error) {
            if (epoch != self->epoch_) return;
            self->on_transport_started(std::move(error), type, more_candidates);
        },
        [self, epoch](std::string_view bytes) {
            if (epoch != self->epoch_) return;
            self->on_transport_data(bytes);
        },
        [self, epoch](transport_closed closed) {
            if (epoch != self->epoch_) return;
            self->on_transport_closed(std::move(closed));
        });
}

void connection_core::on_transport_started(std::optional<std::string> error, transport_type type,
                                           bool more_candidates) {
    if (error) {
        transport_.reset();
        if (options_.skip_negotiation) return finish_attempt(*error);
        transport_failures_.push_back({type, *error});
        if (more_candidates) {
            ++epoch_;
            return negotiate(negotiated_url_, 0); // a fresh negotiate (and token) before the next transport (NEG-031)
        }
        auto choice =
            select_transports(offered_transports_, options_.transports, protocol_->format(), transport_failures_);
        return finish_attempt(no_transport_error(choice.reasons));
    }
    link_ = link::handshaking;
    active_transport_ = type;
    protocol::client_connection_options client;
    client.protocol = protocol_;
    client.timing.server_timeout = options_.server_timeout;
    client.timing.keep_alive_interval = options_.keep_alive_interval;
    client.timing.handshake_timeout = options_.handshake_timeout;
    // Long polling keeps itself alive: no Pings and no server timeout on it (LP-019, KA-008).
    if (type == transport_type::long_polling) client.timing.transport = protocol::transport_keep_alive::inherent;
    // HS-001, HS-003: version 2 asks for stateful reconnect, which only WebSockets resumes (SR-001, SR-003).
    client.stateful_reconnect = stateful_negotiated_ && type == transport_type::websockets;
    conn_.emplace(client, protocol::connection_options{}, clock::now()); // the request goes out now (HS-017)
    flush_link();
    arm_keep_alive();
}

void connection_core::finish_attempt(std::optional<std::string> error) {
    auto done = std::move(attempt_done_);
    attempt_done_ = nullptr;
    if (error) abandon_link();
    if (done) done(std::move(error));
}

void connection_core::abandon_link() {
    ++epoch_; // every callback of what is dropped here is now stale
    if (http_) {
        http_->cancel();
        http_.reset();
    }
    if (transport_) {
        transport_->abort();
        transport_.reset();
    }
    keep_alive_timer_.cancel();
    ack_timer_.cancel();
    conn_.reset();
    link_ = link::none;
}

} // namespace hubspec::client::detail
