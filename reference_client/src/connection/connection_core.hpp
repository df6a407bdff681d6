#pragma once
// The hub connection's engine: the client's adapter over the sans-IO
// protocol::hub_connection (handshake, framing, keep-alive, stateful reconnect),
// one per link, with what is the client's own: negotiate, transports, timers,
// reconnect, user calls. Theory: everything with state runs on the
// connection's io thread (posted there by the thread-safe entry points), so no
// lock guards it; user-visible effects go to the dispatcher thread in order.
// One connect attempt (negotiate → transport → handshake) serves both start()
// and each automatic reconnect attempt (RC-006). Callbacks of an abandoned
// attempt or transport are recognized by their epoch and ignored.

#include "dispatcher.hpp"
#include "handler_registry.hpp"
#include "http/http_request.hpp"
#include "http/tracer.hpp"
#include "transports/transport.hpp"
#include "transports/transport_selection.hpp"
#include "upload_state.hpp"

#include "hubspec/client/connection_state.hpp"
#include "hubspec/client/options.hpp"

#include <hubspec/protocol/hub_connection.hpp>
#include <hubspec/protocol/hub_message.hpp>
#include <hubspec/protocol/hub_protocol.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace hubspec::client::detail {

using invoke_callback = std::function<void(std::exception_ptr, protocol::value)>;
using done_callback = std::function<void(std::exception_ptr)>;
using item_callback = std::function<void(const protocol::value&)>;

class connection_core : public std::enable_shared_from_this<connection_core> {
public:
    connection_core(boost::asio::io_context& io, dispatcher& user_thread, connection_options options);

    // ---- thread-safe entry points; callbacks run on the dispatcher ----
    void start(done_callback done);
    /// `done` runs on the io thread once the connection is Disconnected.
    void stop(std::function<void()> done);
    void invoke(std::string method, std::vector<protocol::value> args,
                std::vector<std::shared_ptr<upload_state>> streams, invoke_callback done);
    void send(std::string method, std::vector<protocol::value> args, std::vector<std::shared_ptr<upload_state>> streams,
              done_callback done);
    /// Returns the cancel function of the stream.
    std::function<void()> stream(std::string method, std::vector<protocol::value> args,
                                 std::vector<std::shared_ptr<upload_state>> streams, item_callback on_item,
                                 done_callback on_complete);

    connection_state state() const noexcept { return state_.load(); }
    std::optional<std::string> connection_id() const;
    handler_registry& handlers() noexcept { return handlers_; }

    void set_on_reconnecting(std::function<void(const std::optional<std::string>&)> f);
    void set_on_reconnected(std::function<void(const std::optional<std::string>&)> f);
    void set_on_close(std::function<void(const std::optional<std::string>&)> f);

    /// Stops (waiting at most a few seconds) and refuses further work. Not on the io thread.
    void shutdown();

private:
    using clock = std::chrono::steady_clock;
    enum class link { none, negotiating, transport_starting, handshaking, connected, closing };
    using attempt_callback = std::function<void(std::optional<std::string> error)>;

    template <class F>
    bool post(F&& f);
    void to_user(std::function<void()> f) { user_thread_.post(std::move(f)); }

    // lifecycle (connection_core.cpp)
    void do_start(done_callback done);
    void do_stop(std::function<void()> done);
    void connection_lost(std::optional<std::string> error);
    void complete_close(std::optional<std::string> error);
    void start_reconnect(std::optional<std::string> error);
    void schedule_reconnect(std::chrono::milliseconds delay);
    void on_reconnect_attempt(std::optional<std::string> error);
    void fail_outstanding();
    void arm_keep_alive();
    void on_keep_alive_timer();
    void set_state(connection_state s);

    // one connect attempt (connection_connect.cpp)
    void connect(attempt_callback done);
    void negotiate(std::string url, int redirects);
    void start_transport(protocol::transport_type type, std::string url, bool more_candidates);
    void on_transport_started(std::optional<std::string> error, protocol::transport_type type, bool more_candidates);
    void finish_attempt(std::optional<std::string> error);
    void abandon_link();

    // stateful reconnect (connection_resume.cpp)
    bool try_resume(const transport_closed& closed);
    void on_resume_started(std::optional<std::string> error);
    void arm_ack_timer();
    header_list request_headers() const;

    // messages (connection_messages.cpp)
    void on_transport_data(std::string_view bytes);
    void on_transport_closed(transport_closed closed);
    void on_message(protocol::hub_message&& message);
    void on_invocation(protocol::invocation_message&& message);
    void on_close_message(const protocol::close_message& message);
    void fail_link(std::string error);
    bool write(const protocol::hub_message& message);
    /// Sends what the link's protocol connection has to send, in order.
    void flush_link();
    std::vector<std::string> reserve_stream_ids(const std::vector<std::shared_ptr<upload_state>>& streams);
    void attach_uploads(const std::vector<std::shared_ptr<upload_state>>& streams, const std::vector<std::string>& ids);
    std::string next_invocation_id() { return std::to_string(next_id_.fetch_add(1)); }

    boost::asio::io_context& io_;
    dispatcher& user_thread_;
    const connection_options options_;
    const protocol::hub_protocol* protocol_;
    const tracer trace_;
    handler_registry handlers_;

    std::mutex post_mutex_;
    bool shut_down_ = false;
    std::atomic<connection_state> state_{connection_state::disconnected};
    std::atomic<std::uint64_t> next_id_{1}; // invocation and stream ids, as the .NET client counts (MSG-016)

    mutable std::mutex info_mutex_; // what user threads read or set
    std::optional<std::string> connection_id_;
    std::function<void(const std::optional<std::string>&)> on_reconnecting_;
    std::function<void(const std::optional<std::string>&)> on_reconnected_;
    std::function<void(const std::optional<std::string>&)> on_close_;

    // ---- io thread only ----
    std::uint64_t epoch_ = 0;
    link link_ = link::none;
    attempt_callback attempt_done_;
    std::shared_ptr<http_operation> http_;
    std::shared_ptr<transport> transport_;
    std::optional<std::string> access_token_;
    std::vector<transport_failure> transport_failures_; // this attempt's, for fallback (NEG-031)
    std::string negotiated_url_;                        // after redirects: where a fallback negotiates again
    std::vector<protocol::available_transport> offered_transports_;
    std::optional<protocol::hub_connection> conn_; // the link's protocol state, from the handshake on
    boost::asio::steady_timer keep_alive_timer_;

    bool stateful_negotiated_ = false; // the reply said useStatefulReconnect (NEG-026)
    std::string transport_url_;        // what a stateful resume re-opens (SR-011)
    protocol::transport_type active_transport_ = protocol::transport_type::websockets;
    boost::asio::steady_timer ack_timer_;

    done_callback start_done_;
    std::vector<std::function<void()>> stop_waiters_;
    bool stop_requested_ = false;
    std::optional<std::string> close_error_; // what ends the link: a Close error, a timeout, bad input
    bool close_allows_reconnect_ = true;     // false after a Close without allowReconnect (MSG-075)

    boost::asio::steady_timer reconnect_timer_;
    std::int64_t retry_count_ = 0;
    clock::time_point reconnect_started_{};
    std::optional<std::string> reconnect_reason_;

    std::unordered_map<std::string, invoke_callback> invocations_;
    struct active_stream {
        item_callback on_item;
        done_callback on_complete;
    };
    std::unordered_map<std::string, active_stream> streams_;
    std::vector<std::shared_ptr<upload_state>> uploads_;
};

template <class F>
bool connection_core::post(F&& f) {
    std::lock_guard lock(post_mutex_);
    if (shut_down_) return false;
    boost::asio::post(io_, std::forward<F>(f));
    return true;
}

} // namespace hubspec::client::detail
