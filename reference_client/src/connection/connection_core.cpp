#include "connection_core.hpp"

#include "hubspec/client/errors.hpp"

#include <hubspec/protocol/detail/helpers.hpp>

#include <future>

namespace hubspec::client::detail {

connection_core::connection_core(boost::asio::io_context& io, dispatcher& user_thread, connection_options options)
    : io_(io), user_thread_(user_thread), options_(std::move(options)),
      protocol_(options_.protocol == hub_protocol_kind::messagepack ? &protocol::messagepack_protocol()
                                                                    : &protocol::json_protocol()),
      trace_(options_.trace), reconnect_timer_(io) {}

void connection_core::set_state(connection_state s) {
    auto previous = state_.exchange(s);
    if (!trace_ || previous == s) return;
    trace_(trace_direction::local, trace_kind::state, protocol::detail::to_lower(to_string(s)));
}

std::optional<std::string> connection_core::connection_id() const {
    std::lock_guard lock(info_mutex_);
    return connection_id_;
}

void connection_core::set_on_reconnecting(std::function<void(const std::optional<std::string>&)> f) {
    std::lock_guard lock(info_mutex_);
    on_reconnecting_ = std::move(f);
}
void connection_core::set_on_reconnected(std::function<void(const std::optional<std::string>&)> f) {
    std::lock_guard lock(info_mutex_);
    on_reconnected_ = std::move(f);
}
void connection_core::set_on_close(std::function<void(const std::optional<std::string>&)> f) {
    std::lock_guard lock(info_mutex_);
    on_close_ = std::move(f);
}

// ---- entry points -------------------------------------------------------

void connection_core::start(done_callback done) {
    auto self = shared_from_this();
    if (!post([self, done]() mutable { self->do_start(std::move(done)); }))
        done(std::make_exception_ptr(connection_exception("The connection has been disposed.")));
}

void connection_core::stop(std::function<void()> done) {
    auto self = shared_from_this();
    if (!post([self, done]() mutable { self->do_stop(std::move(done)); })) done();
}

void connection_core::shutdown() {
    auto stopped = std::make_shared<std::promise<void>>();
    auto future = stopped->get_future();
    stop([stopped] { stopped->set_value(); });
    // A Close handshake is bounded by the transport's own timeout; don't hang a destructor on a dead peer.
    future.wait_for(std::chrono::seconds(10));
    std::lock_guard lock(post_mutex_);
    shut_down_ = true;
}

// ---- lifecycle (io thread) ----------------------------------------------

void connection_core::do_start(done_callback done) {
    if (state() != connection_state::disconnected) {
        to_user([done] {
            done(std::make_exception_ptr(
                connection_exception("Cannot start a HubConnection that is not in the 'Disconnected' state.")));
        });
        return;
    }
    set_state(connection_state::connecting); // RC-004
    start_done_ = std::move(done);
    connect([this](std::optional<std::string> error) {
        auto start_done = std::move(start_done_);
        start_done_ = nullptr;
        if (!error) {
            set_state(connection_state::connected);
            if (start_done) to_user([start_done] { start_done(nullptr); });
            return;
        }
        // A failed start goes back to Disconnected; it never reconnects (RC-004).
        set_state(connection_state::disconnected);
        stop_requested_ = false;
        if (start_done)
            to_user([start_done, e = *error] { start_done(std::make_exception_ptr(connection_exception(e))); });
        auto waiters = std::move(stop_waiters_);
        stop_waiters_.clear();
        for (auto& w : waiters)
            w();
    });
}

void connection_core::do_stop(std::function<void()> done) {
    switch (state()) {
    case connection_state::disconnected: done(); return;
    case connection_state::disconnecting: stop_waiters_.push_back(std::move(done)); return;
    case connection_state::connecting:
        stop_waiters_.push_back(std::move(done));
        stop_requested_ = true;
        set_state(connection_state::disconnecting);
        finish_attempt("The connection was stopped during negotiation.");
        return;
    case connection_state::reconnecting:
        // Ends the delay or the attempt in progress (RC-008).
        stop_waiters_.push_back(std::move(done));
        reconnect_timer_.cancel();
        attempt_done_ = nullptr;
        abandon_link();
        complete_close(std::nullopt);
        return;
    case connection_state::connected:
        stop_waiters_.push_back(std::move(done));
        stop_requested_ = true;
        set_state(connection_state::disconnecting);
        if (link_) return link_->close(); // a Close (MSG-072), then the transport's graceful end
        connection_lost(std::nullopt, false);
        return;
    }
}

void connection_core::connection_lost(std::optional<std::string> error, bool allows_reconnect) {
    calls_.fail_all(); // RC-010: never replayed
    if (options_.violations.contains(violation::reconnect_after_final_close)) allows_reconnect = true;
    if (stop_requested_ || !options_.reconnect || !allows_reconnect) return complete_close(std::move(error));
    start_reconnect(std::move(error)); // MSG-076, RC-005
}

void connection_core::complete_close(std::optional<std::string> error) {
    set_state(connection_state::disconnected);
    stop_requested_ = false;
    {
        std::lock_guard lock(info_mutex_);
        if (on_close_) to_user([f = on_close_, error] { f(error); });
    }
    auto waiters = std::move(stop_waiters_);
    stop_waiters_.clear();
    for (auto& w : waiters)
        w();
}

void connection_core::start_reconnect(std::optional<std::string> error) {
    reconnect_started_ = clock::now();
    retry_count_ = 0;
    reconnect_reason_ = error;
    auto delay = (*options_.reconnect)(retry_context{0, std::chrono::milliseconds{0}, error.value_or("")});
    if (!delay) return complete_close(std::move(error)); // a null first delay: no Reconnecting state (RC-007)
    if (options_.violations.contains(violation::reconnect_first_delay_late)) *delay += std::chrono::seconds(2);
    set_state(connection_state::reconnecting);
    {
        std::lock_guard lock(info_mutex_);
        if (on_reconnecting_) to_user([f = on_reconnecting_, error] { f(error); });
    }
    schedule_reconnect(*delay);
}

void connection_core::schedule_reconnect(std::chrono::milliseconds delay) {
    reconnect_timer_.expires_after(delay);
    reconnect_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec || self->state() != connection_state::reconnecting) return;
        self->connect([self](std::optional<std::string> error) { self->on_reconnect_attempt(std::move(error)); });
    });
}

void connection_core::on_reconnect_attempt(std::optional<std::string> error) {
    if (state() != connection_state::reconnecting) return;
    if (!error) {
        set_state(connection_state::connected); // RC-006
        std::lock_guard lock(info_mutex_);
        if (on_reconnected_) to_user([f = on_reconnected_, id = connection_id_] { f(id); });
        return;
    }
    ++retry_count_; // a failed handshake counts like any failed attempt (RC-012)
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - reconnect_started_);
    auto delay = (*options_.reconnect)(retry_context{retry_count_, elapsed, *error});
    if (!delay) return complete_close(reconnect_reason_);
    schedule_reconnect(*delay);
}

// ---- the links (io thread) -----------------------------------------------

void connection_core::connect(attempt_callback done) {
    attempt_done_ = std::move(done);
    ++epoch_;
    auto self = shared_from_this();
    connect_attempt::handlers on{link_events(),
                                 [self](std::optional<std::string> id) {
                                     std::lock_guard lock(self->info_mutex_);
                                     self->connection_id_ = std::move(id);
                                 },
                                 [self, epoch = epoch_](connect_attempt::outcome outcome) {
                                     if (epoch != self->epoch_) return;
                                     self->attempt_.reset();
                                     if (auto* error = std::get_if<std::string>(&outcome))
                                         return self->finish_attempt(std::move(*error));
                                     self->on_established(std::move(std::get<established_link>(outcome)));
                                 }};
    attempt_ = std::make_shared<connect_attempt>(io_, options_, *protocol_, trace_, std::move(on));
    if (state() == connection_state::reconnecting && last_transport_ &&
        options_.violations.contains(violation::reconnect_without_negotiate))
        return attempt_->run_reopening(last_transport_->first, last_transport_->second);
    attempt_->run();
}

void connection_core::on_established(established_link established) {
    auto self = shared_from_this();
    last_transport_.emplace(established.type, established.transport_url);
    connection_link::handlers on{link_events(),
                                 [self](protocol::hub_message&& message) { self->calls_.dispatch(std::move(message)); },
                                 [self, epoch = epoch_](std::optional<std::string> error, bool allows_reconnect) {
                                     if (epoch != self->epoch_) return;
                                     ++self->epoch_;
                                     self->link_.reset();
                                     self->connection_lost(std::move(error), allows_reconnect);
                                 }};
    link_ = std::make_shared<connection_link>(io_, options_, trace_, std::move(established), std::move(on));
    link_->start();
    finish_attempt(std::nullopt); // the start completes before any message is dispatched
    if (link_ && link_->open()) link_->read_pending();
}

void connection_core::finish_attempt(std::optional<std::string> error) {
    auto done = std::move(attempt_done_);
    attempt_done_ = nullptr;
    if (error) abandon_link();
    if (done) done(std::move(error));
}

void connection_core::abandon_link() {
    ++epoch_; // every callback of what is dropped here is now stale
    if (attempt_) {
        attempt_->cancel();
        attempt_.reset();
    }
    if (link_) {
        link_->abandon();
        link_.reset();
    }
}

transport_events connection_core::link_events() {
    auto self = shared_from_this();
    return {[self, epoch = epoch_](std::string_view bytes) {
                if (epoch != self->epoch_) return;
                if (self->attempt_) return self->attempt_->receive(bytes); // the handshake
                if (self->link_) self->link_->receive(bytes);
            },
            [self, epoch = epoch_](transport_closed closed) {
                if (epoch != self->epoch_) return;
                if (self->attempt_) return self->attempt_->closed(closed); // before the handshake completed
                if (self->link_) self->link_->closed(closed);
            }};
}

} // namespace hubspec::client::detail
