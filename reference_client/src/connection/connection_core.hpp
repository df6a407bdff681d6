#pragma once
// The hub connection's engine: the connection's states (connection_state.hpp:
// start, stop, automatic reconnect, RC-*) over its parts: a connect_attempt
// establishes each link (start() and every reconnect attempt, RC-006), a
// connection_link adapts it (the sans-IO protocol::hub_connection, keep-alive,
// stateful resume) until it ends, hub_calls keeps the calls both ways. Theory:
// everything with state runs on the connection's io thread (posted there by the
// thread-safe entry points), so no lock guards it; user-visible effects go to the
// dispatcher thread in order. Callbacks of an abandoned attempt or link are
// recognized by their epoch and ignored.

#include "connect_attempt.hpp"
#include "connection_link.hpp"
#include "dispatcher.hpp"
#include "handler_registry.hpp"
#include "http/tracer.hpp"
#include "hub_calls.hpp"
#include "transports/transport.hpp"

#include "hubspec/client/connection_state.hpp"
#include "hubspec/client/options.hpp"

#include <hubspec/protocol/hub_message.hpp>
#include <hubspec/protocol/hub_protocol.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace hubspec::client::detail {

class connection_core : public std::enable_shared_from_this<connection_core> {
public:
    connection_core(boost::asio::io_context& io, dispatcher& user_thread, connection_options options);

    // ---- thread-safe entry points; callbacks run on the dispatcher ----
    void start(done_callback done);
    /// `done` runs on the io thread once the connection is Disconnected.
    void stop(std::function<void()> done);
    /// Invoke, send, stream.
    hub_calls& calls() noexcept { return calls_; }

    connection_state state() const noexcept { return state_.load(); }
    std::optional<std::string> connection_id() const;
    const connection_options& options() const noexcept { return options_; }
    handler_registry& handlers() noexcept { return handlers_; }

    void set_on_reconnecting(std::function<void(const std::optional<std::string>&)> f);
    void set_on_reconnected(std::function<void(const std::optional<std::string>&)> f);
    void set_on_close(std::function<void(const std::optional<std::string>&)> f);

    /// Stops (waiting at most a few seconds) and refuses further work. Not on the io thread.
    void shutdown();

    // ---- for hub_calls --------------------------------------------------------
    /// Runs `f` on the io thread; false once shut down. Any thread.
    template <class F>
    bool post(F&& f);
    void to_user(std::function<void()> f) { user_thread_.post(std::move(f)); }
    /// Io thread: Connected, with a link to write on.
    bool accepts_calls() const noexcept { return link_ && link_->open() && state() == connection_state::connected; }
    /// Io thread: the current link's number; a callback that kept an older one is stale.
    std::uint64_t epoch() const noexcept { return epoch_; }
    /// Io thread: a hub message out on the link (KA-006); false if it cannot go.
    bool write(const protocol::hub_message& message) { return link_ && link_->write(message); }

private:
    using clock = std::chrono::steady_clock;
    using attempt_callback = std::function<void(std::optional<std::string> error)>;

    void do_start(done_callback done);
    void do_stop(std::function<void()> done);
    void connection_lost(std::optional<std::string> error, bool allows_reconnect);
    void complete_close(std::optional<std::string> error);
    void start_reconnect(std::optional<std::string> error);
    void schedule_reconnect(std::chrono::milliseconds delay);
    void on_reconnect_attempt(std::optional<std::string> error);
    void set_state(connection_state s);

    // the links
    void connect(attempt_callback done);
    void on_established(established_link established);
    /// Ends the connect attempt: `attempt_done_` gets `error` (none: connected).
    void finish_attempt(std::optional<std::string> error);
    void abandon_link();
    /// The transport's events, bound to this link's epoch: to the attempt, then the link.
    transport_events link_events();

    boost::asio::io_context& io_;
    dispatcher& user_thread_;
    const connection_options options_;
    const protocol::hub_protocol* protocol_;
    const tracer trace_;
    handler_registry handlers_;
    hub_calls calls_{*this};

    std::mutex post_mutex_;
    bool shut_down_ = false;
    std::atomic<connection_state> state_{connection_state::disconnected};

    mutable std::mutex info_mutex_; // what user threads read or set
    std::optional<std::string> connection_id_;
    std::function<void(const std::optional<std::string>&)> on_reconnecting_;
    std::function<void(const std::optional<std::string>&)> on_reconnected_;
    std::function<void(const std::optional<std::string>&)> on_close_;

    // ---- io thread only ----
    std::uint64_t epoch_ = 0;
    attempt_callback attempt_done_;
    std::shared_ptr<connect_attempt> attempt_; // while connecting
    std::shared_ptr<connection_link> link_;    // once connected, until the link ends

    done_callback start_done_;
    std::vector<std::function<void()>> stop_waiters_;
    bool stop_requested_ = false;

    boost::asio::steady_timer reconnect_timer_;
    std::int64_t retry_count_ = 0;
    clock::time_point reconnect_started_{};
    std::optional<std::string> reconnect_reason_;
    /// The last link's transport and URL (violation::reconnect_without_negotiate reopens them).
    std::optional<std::pair<protocol::transport_type, std::string>> last_transport_;
};

template <class F>
bool connection_core::post(F&& f) {
    std::lock_guard lock(post_mutex_);
    if (shut_down_) return false;
    boost::asio::post(io_, std::forward<F>(f));
    return true;
}

} // namespace hubspec::client::detail
