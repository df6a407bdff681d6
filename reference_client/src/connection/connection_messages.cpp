// Hub messages in both directions once a transport is up: the handshake reply,
// dispatch of what the server sends, and the calls the user makes.
#include "connection_core.hpp"

#include "hubspec/client/errors.hpp"

#include <hubspec/protocol/texts.hpp>

#include <cstdio>

namespace hubspec::client::detail {

namespace texts = protocol::texts;
using protocol::completion_message;

namespace {
constexpr std::string_view not_connected = "Cannot send data if the connection is not in the 'Connected' State.";

std::exception_ptr not_connected_error() {
    return std::make_exception_ptr(connection_exception(std::string(not_connected)));
}
} // namespace

// ---- incoming --------------------------------------------------------------

void connection_core::on_transport_data(std::string_view bytes) {
    if (!conn_ || (link_ != link::handshaking && link_ != link::connected && link_ != link::closing)) return;
    conn_->receive_data(bytes, clock::now()); // KA-005: anything at all
    auto epoch = epoch_;
    for (;;) {
        auto event = conn_->next_event(clock::now());
        if (std::holds_alternative<protocol::need_data>(event)) break;
        if (auto* failed = std::get_if<protocol::handshake_failed_event>(&event))
            return finish_attempt(failed->error.message);
        if (std::holds_alternative<protocol::handshake_completed>(event)) {
            link_ = link::connected;
            flush_link();     // HS-018: the core's Ping at once
            arm_keep_alive(); // KA-006: the Ping deadline exists from the handshake response on (KA-003 is now armed)
            finish_attempt(std::nullopt); // the start completes before any message is dispatched
            if (link_ != link::connected) return;
        } else if (auto* error = std::get_if<protocol::peer_error>(&event)) {
            if (error->what == protocol::peer_error::kind::reconnect_violation)
                return fail_link(error->error.message); // SR-015: a Sequence past what arrived, an Ack too high
            return fail_link("The server sent a message that could not be read: " + error->error.to_string());
        } else if (auto* received = std::get_if<protocol::message_received>(&event)) {
            flush_link(); // what an Ack released (SR-010)
            on_message(std::move(received->message));
        }
        if (epoch != epoch_ || !conn_) return; // the link ended while handling it
    }
    flush_link();
    if (conn_->stateful()) arm_ack_timer();
}

void connection_core::on_transport_closed(transport_closed closed) {
    transport_.reset();
    if (try_resume(closed)) return; // SR-011: an ungraceful drop of a stateful connection
    keep_alive_timer_.cancel();
    if (link_ == link::transport_starting || link_ == link::handshaking)
        return finish_attempt(
            closed.error.value_or("The server closed the connection before the handshake completed."));
    // FRAME-011, as .NET's client does: an end inside a record lost data, so it is no graceful close.
    const bool ended_inside_record = conn_ && !conn_->finish_reading();
    ++epoch_;
    link_ = link::none;
    conn_.reset();
    auto error = close_error_ ? close_error_ : closed.error;
    if (!error && ended_inside_record) error = std::string(texts::terminated_while_reading);
    connection_lost(std::move(error));
}

void connection_core::fail_link(std::string error) {
    // Bad input or a timeout: drop the transport now; reconnect may follow.
    abandon_link();
    connection_lost(std::move(error));
}

void connection_core::on_message(protocol::hub_message&& message) {
    std::visit(
        [this](auto&& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, protocol::invocation_message>) {
                on_invocation(std::move(m));
            } else if constexpr (std::is_same_v<T, protocol::stream_item_message>) {
                auto it = streams_.find(m.invocation_id);
                if (it == streams_.end()) return; // ERR-010, MSG-033
                to_user([f = it->second.on_item, item = std::move(m.item)] { f(item); });
            } else if constexpr (std::is_same_v<T, protocol::completion_message>) {
                if (auto it = invocations_.find(m.invocation_id); it != invocations_.end()) {
                    auto done = std::move(it->second);
                    invocations_.erase(it);
                    if (m.error)
                        to_user(
                            [done, e = std::move(*m.error)] { done(std::make_exception_ptr(hub_exception(e)), {}); });
                    else
                        to_user([done, r = m.result.value_or(protocol::value{})] { done(nullptr, r); });
                } else if (auto s = streams_.find(m.invocation_id); s != streams_.end()) {
                    auto complete = std::move(s->second.on_complete);
                    streams_.erase(s);
                    if (m.error)
                        to_user([complete, e = std::move(*m.error)] {
                            complete(std::make_exception_ptr(hub_exception(e)));
                        });
                    else
                        to_user([complete] { complete(nullptr); });
                }
                // Anything else is for an id this side does not know: ignored (ERR-010).
            } else if constexpr (std::is_same_v<T, protocol::close_message>) {
                on_close_message(m);
            }
            // Ping only refreshes the timeout (MSG-061); StreamInvocation and CancelInvocation
            // never come from a server (MSG-023); Ack and Sequence are ignored without
            // stateful reconnect (MSG-083); unknown types are skipped (MSG-004).
        },
        std::move(message));
}

void connection_core::on_invocation(protocol::invocation_message&& message) {
    to_user([self = shared_from_this(), epoch = epoch_, m = std::move(message)] {
        auto handlers = self->handlers_.find(m.target);
        if (!m.invocation_id || m.invocation_id->empty()) {
            for (auto& h : handlers) {
                try {
                    h(m.arguments);
                } catch (const std::exception& e) {
                    // Logged, never sent (ERR-011).
                    std::fprintf(stderr, "hubspec-client: the handler for '%s' threw: %s\n", m.target.c_str(),
                                 e.what());
                }
            }
            return;
        }
        std::vector<protocol::value> returned;
        std::optional<std::string> thrown;
        for (auto& h : handlers) {
            try {
                if (auto r = h(m.arguments)) returned.push_back(std::move(*r));
            } catch (const std::exception& e) {
                thrown = e.what(); // CR-005
            } catch (...) {
                thrown = "Unknown error";
            }
        }
        auto outcome = combine_client_results(handlers.size(), returned, thrown);
        auto completion = outcome.error ? completion_message::with_error(*m.invocation_id, *outcome.error)
                                        : completion_message::with_result(*m.invocation_id, std::move(*outcome.result));
        self->post([self, epoch, completion = std::move(completion)] {
            if (epoch == self->epoch_) self->write(completion); // CR-002: answered on the connection that asked
        });
    });
}

void connection_core::on_close_message(const protocol::close_message& message) {
    if (message.error && !message.error->empty()) close_error_ = texts::server_close_error(*message.error); // MSG-075
    close_allows_reconnect_ = message.allow_reconnect; // MSG-075, MSG-076
    if (link_ == link::connected && transport_) {
        link_ = link::closing;
        transport_->stop();
    }
}

// ---- outgoing --------------------------------------------------------------

bool connection_core::write(const protocol::hub_message& message) {
    if (!conn_ || (link_ != link::connected && link_ != link::closing)) return false;
    // Through the link's buffer when stateful: tracked messages keep their order behind
    // those the buffer limit holds (SR-010), and wait for a resume while the transport is down.
    const auto status = conn_->send(message, clock::now()); // KA-006
    flush_link();
    if (conn_->stateful()) return status != protocol::send_status::dropped;
    return status != protocol::send_status::dropped && transport_ != nullptr;
}

void connection_core::flush_link() {
    if (!conn_) return;
    for (auto& chunk : conn_->take_data()) {
        if (transport_) transport_->send(std::move(chunk));
    }
}

std::vector<std::string>
connection_core::reserve_stream_ids(const std::vector<std::shared_ptr<upload_state>>& streams) {
    std::vector<std::string> ids;
    ids.reserve(streams.size());
    for (std::size_t i = 0; i < streams.size(); ++i)
        ids.push_back(next_invocation_id());
    return ids;
}

void connection_core::attach_uploads(const std::vector<std::shared_ptr<upload_state>>& streams,
                                     const std::vector<std::string>& ids) {
    // Called right after the invocation naming them is written: queued items follow it (MSG-094).
    std::weak_ptr<connection_core> weak = shared_from_this();
    for (std::size_t i = 0; i < streams.size(); ++i) {
        uploads_.push_back(streams[i]);
        streams[i]->bind([weak, epoch = epoch_, sid = ids[i]](upload_event e) {
            auto s = weak.lock();
            if (!s) return;
            s->post([s, epoch, sid, e = std::move(e)]() mutable {
                if (epoch != s->epoch_) return;
                if (e.item)
                    s->write(protocol::stream_item_message{{}, sid, std::move(*e.item)});
                else if (e.error)
                    s->write(completion_message::with_error(sid, *e.error));
                else
                    s->write(completion_message::void_result(sid));
            });
        });
    }
}

void connection_core::invoke(std::string method, std::vector<protocol::value> args,
                             std::vector<std::shared_ptr<upload_state>> streams, invoke_callback done) {
    auto self = shared_from_this();
    auto task = [self, method = std::move(method), args = std::move(args), streams = std::move(streams),
                 done]() mutable {
        if (self->link_ != link::connected || self->state() != connection_state::connected)
            return self->to_user([done] { done(not_connected_error(), {}); });
        auto id = self->next_invocation_id();
        auto stream_ids = self->reserve_stream_ids(streams);
        self->invocations_.emplace(id, std::move(done));
        self->write(protocol::invocation_message{{}, id, std::move(method), std::move(args), stream_ids});
        self->attach_uploads(streams, stream_ids);
    };
    if (!post(std::move(task))) done(not_connected_error(), {});
}

void connection_core::send(std::string method, std::vector<protocol::value> args,
                           std::vector<std::shared_ptr<upload_state>> streams, done_callback done) {
    auto self = shared_from_this();
    auto task = [self, method = std::move(method), args = std::move(args), streams = std::move(streams),
                 done]() mutable {
        if (self->link_ != link::connected || self->state() != connection_state::connected)
            return self->to_user([done] { done(not_connected_error()); });
        auto stream_ids = self->reserve_stream_ids(streams);
        // No invocation id: non-blocking, the server answers nothing (MSG-012).
        self->write(protocol::invocation_message{{}, std::nullopt, std::move(method), std::move(args), stream_ids});
        self->attach_uploads(streams, stream_ids);
        self->to_user([done] { done(nullptr); });
    };
    if (!post(std::move(task))) done(not_connected_error());
}

std::function<void()> connection_core::stream(std::string method, std::vector<protocol::value> args,
                                              std::vector<std::shared_ptr<upload_state>> streams, item_callback on_item,
                                              done_callback on_complete) {
    auto canceled = std::make_shared<std::atomic<bool>>(false);
    item_callback item = [canceled, on_item = std::move(on_item)](const protocol::value& v) {
        if (!canceled->load()) on_item(v);
    };
    done_callback complete = [canceled, on_complete = std::move(on_complete)](std::exception_ptr e) {
        if (!canceled->exchange(true)) on_complete(e);
    };
    auto id = next_invocation_id();
    auto self = shared_from_this();
    auto task = [self, id, method = std::move(method), args = std::move(args), streams = std::move(streams), item,
                 complete]() mutable {
        if (self->link_ != link::connected || self->state() != connection_state::connected)
            return self->to_user([complete] { complete(not_connected_error()); });
        auto stream_ids = self->reserve_stream_ids(streams);
        self->streams_.emplace(id, active_stream{std::move(item), complete});
        self->write(protocol::stream_invocation_message{{}, id, std::move(method), std::move(args), stream_ids});
        self->attach_uploads(streams, stream_ids);
    };
    if (!post(std::move(task))) complete(not_connected_error());
    std::weak_ptr<connection_core> weak = self;
    return [weak, id, canceled] {
        if (canceled->exchange(true)) return;
        auto s = weak.lock();
        if (!s) return;
        s->post([s, id] {
            // Forget it first: what the server sends until its Completion is dropped (MSG-053).
            if (s->streams_.erase(id) > 0) s->write(protocol::cancel_invocation_message{{}, id});
        });
    };
}

} // namespace hubspec::client::detail
