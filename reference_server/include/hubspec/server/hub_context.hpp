#pragma once
// What hub code sees while it runs: the caller (Context), the other clients
// (Clients.*), groups, timers, async results, and streams both ways. Handles
// are cheap to copy and safe to keep: once their connection is gone they do
// nothing. Every call happens on the server's I/O thread.

#include "hubspec/protocol/value.hpp"
#include "hubspec/protocol/value_list.hpp"

#include <any>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hubspec::server {

using protocol::value;
using protocol::value_list;

namespace detail {
class hub_connection;
class hub_lifetime;
struct pending_invocation;
struct stream_state;
struct upload_state;
} // namespace detail

/// ASP.NET Core's HubException: its message reaches the client even without
/// detailed errors (ERR-004).
class hub_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Cancels a scheduled callback; dropping the handle does not.
class timer_handle {
public:
    timer_handle() = default;
    explicit timer_handle(std::function<void()> cancel) : cancel_(std::move(cancel)) {}
    void cancel() {
        if (cancel_) std::exchange(cancel_, nullptr)();
    }

private:
    std::function<void()> cancel_;
};

/// A client's answer to a server-to-client invocation (CR-002).
struct client_result {
    std::optional<value> result;
    std::optional<std::string> error; // the client's error, or CR-007's text
};

/// The async completion of one invocation: a method that calls hub_call::defer()
/// answers later through it. The first complete/fail wins; later ones are ignored.
class deferred_result {
public:
    deferred_result() = default;
    explicit deferred_result(std::shared_ptr<detail::pending_invocation> p) : pending_(std::move(p)) {}

    void complete(value result) const;
    /// Fails as a HubException would: the text reaches the client (ERR-004).
    void fail(std::string hub_error_message) const;
    /// Fails as an arbitrary exception would (ERR-002, detail only with detailed errors).
    void fail(std::exception_ptr error) const;

private:
    std::shared_ptr<detail::pending_invocation> pending_;
};

/// The server side of a server-to-client stream (MSG-022, MSG-051).
class stream_writer {
public:
    stream_writer() = default;
    explicit stream_writer(std::shared_ptr<detail::stream_state> s) : state_(std::move(s)) {}

    /// Sends one StreamItem; false once the stream is over (completed or cancelled).
    bool write(value item) const;
    void complete() const;
    /// Ends the stream with MSG-101's text (+ detail when detailed errors are on).
    void fail(std::exception_ptr error) const;
    /// Runs when the client cancels (CancelInvocation) or the connection ends first.
    void on_cancel(std::function<void()> callback) const;
    bool done() const;

private:
    std::shared_ptr<detail::stream_state> state_;
};

/// The server side of a client-to-server stream (MSG-094..097). Items that
/// arrive before on_item is set are kept and handed over when it is.
class upload_stream {
public:
    upload_stream() = default;
    explicit upload_stream(std::shared_ptr<detail::upload_state> s) : state_(std::move(s)) {}

    void on_item(std::function<void(const value&)> callback) const;
    /// Runs once when the client completes the stream (error: its Completion's
    /// error), or when the method returned first (MSG-097) or the connection ended.
    void on_end(std::function<void(std::optional<std::string> error)> callback) const;

private:
    std::shared_ptr<detail::upload_state> state_;
};

/// Who a message goes to: Clients.All, .Caller, .Group(name), …
class client_proxy {
public:
    enum class target_kind { all, all_except, connection, group, group_except, user };

    client_proxy(std::shared_ptr<detail::hub_lifetime> lifetime, target_kind kind, std::string name,
                 std::string excluded_connection);

    /// A non-blocking Invocation to every connection targeted (GRP-001, MSG-018),
    /// serialized once per hub protocol.
    void send(std::string_view method, value_list arguments) const;

    /// Client result (CR-001): only for a single connection (caller, client(id)), on this
    /// node or, scaled out, on another (RB-062). `on_result` runs with the answer, or with
    /// CR-007's error.
    void invoke(std::string_view method, value_list arguments, std::function<void(client_result)> on_result) const;

private:
    std::shared_ptr<detail::hub_lifetime> lifetime_;
    target_kind kind_;
    std::string name_;
    std::string excluded_;
};

class hub_clients {
public:
    hub_clients(std::shared_ptr<detail::hub_lifetime> lifetime, std::string caller_id)
        : lifetime_(std::move(lifetime)), caller_(std::move(caller_id)) {}

    client_proxy all() const;
    client_proxy caller() const;
    client_proxy others() const;
    client_proxy client(std::string connection_id) const; // public id, never the token (GRP-005)
    client_proxy group(std::string name) const;
    client_proxy others_in_group(std::string name) const;
    client_proxy user(std::string user_identifier) const;

private:
    std::shared_ptr<detail::hub_lifetime> lifetime_;
    std::string caller_;
};

/// Group membership, per connection, names compared ordinally (GRP-003). `done` runs once
/// the change holds: at once on a single node; scaled out, after Redis confirmed the group's
/// channel (RB-018) or, for a connection on another node, after its ack, or with an error
/// when no node acknowledged in time (RB-060).
class hub_groups {
public:
    explicit hub_groups(std::shared_ptr<detail::hub_lifetime> lifetime) : lifetime_(std::move(lifetime)) {}
    void add(const std::string& connection_id, const std::string& group,
             std::function<void(std::optional<std::string> error)> done = {}) const;
    void remove(const std::string& connection_id, const std::string& group,
                std::function<void(std::optional<std::string> error)> done = {}) const;

private:
    std::shared_ptr<detail::hub_lifetime> lifetime_;
};

/// Context: what the caller's connection is.
class caller_context {
public:
    explicit caller_context(std::shared_ptr<detail::hub_connection> c) : connection_(std::move(c)) {}

    const std::string& connection_id() const;
    /// From the bearer token (GRP-004); nullopt for anonymous connections.
    const std::optional<std::string>& user_identifier() const;
    /// "WebSockets", "ServerSentEvents" or "LongPolling".
    std::string_view transport_name() const;
    /// A header of the request that started the transport, compared case-insensitively.
    std::optional<std::string> header(std::string_view name) const;
    /// Per-connection state for hub code (Context.Items).
    std::map<std::string, std::any, std::less<>>& items() const;
    /// Ends the connection with a Close without allowReconnect (ERR-009).
    void abort() const;

private:
    std::shared_ptr<detail::hub_connection> connection_;
};

/// One call into hub code: a method invocation, OnConnected or OnDisconnected.
class hub_call {
public:
    hub_call(std::shared_ptr<detail::hub_connection> connection, std::shared_ptr<detail::pending_invocation> pending);

    caller_context context() const;
    hub_clients clients() const;
    hub_groups groups() const;

    /// Runs `callback` after `delay` on the I/O thread.
    timer_handle after(std::chrono::milliseconds delay, std::function<void()> callback) const;

    /// Makes this invocation async: the method's return value is ignored and the
    /// client gets its Completion when the handle completes. Only in invocations.
    deferred_result defer();
    bool deferred() const noexcept { return deferred_; }

private:
    std::shared_ptr<detail::hub_connection> connection_;
    std::shared_ptr<detail::pending_invocation> pending_;
    bool deferred_ = false;
};

} // namespace hubspec::server
