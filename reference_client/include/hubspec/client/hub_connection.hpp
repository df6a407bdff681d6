#pragma once
// A connection to a SignalR hub, shaped like Microsoft's HubConnection. Thread-safe:
// every member may be called from any thread. The connection runs its own I/O
// thread; handlers, callbacks and completions run one at a time on its dispatcher
// thread, in the order the server's messages arrived (MSG-103). As in Microsoft's
// clients, a handler may start calls but must not block on their results: the
// dispatcher that would deliver them is the thread it is blocking.
//
// Async surface: every operation has a callback form (`*_async`); the future
// forms are built on it, and so can an Asio completion-token adapter later.

#include "hubspec/client/connection_state.hpp"
#include "hubspec/client/errors.hpp"
#include "hubspec/client/options.hpp"
#include "hubspec/client/stream_reader.hpp"
#include "hubspec/client/upload_stream.hpp"
#include "hubspec/client/value_conversion.hpp"

#include <hubspec/protocol/value.hpp>
#include <hubspec/protocol/value_list.hpp>

#include <cstdint>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace hubspec::client {

using protocol::value;
using arguments = protocol::value_list;

namespace detail {
class connection_core;
struct connection_runtime;
} // namespace detail

class hub_connection {
public:
    explicit hub_connection(connection_options options);
    ~hub_connection(); // stops the connection and joins its threads
    hub_connection(hub_connection&&) noexcept;
    hub_connection& operator=(hub_connection&&) noexcept;

    // ---- lifecycle (RC-003, RC-004) ----
    std::future<void> start();
    std::future<void> stop();
    void start_async(std::function<void(std::exception_ptr)> done);
    void stop_async(std::function<void()> done);

    connection_state state() const;
    /// From negotiate; nullopt before the first start or with skip_negotiation.
    std::optional<std::string> connection_id() const;

    // ---- calls ----
    /// Awaits the server's Completion: its result (null for a void method), or throws
    /// hub_exception with its error, or connection_exception when the connection closed first (RC-010).
    std::future<value> invoke(std::string method, arguments args = {}, std::vector<upload_stream> streams = {});
    template <class T>
    std::future<T> invoke_as(std::string method, arguments args = {}, std::vector<upload_stream> streams = {});
    void invoke_async(std::string method, arguments args, std::vector<upload_stream> streams,
                      std::function<void(std::exception_ptr, value)> done);

    /// Non-blocking invocation (MSG-012): ready once handed to the transport.
    std::future<void> send(std::string method, arguments args = {}, std::vector<upload_stream> streams = {});
    void send_async(std::string method, arguments args, std::vector<upload_stream> streams,
                    std::function<void(std::exception_ptr)> done);

    /// Server-to-client stream.
    stream_reader stream(std::string method, arguments args = {}, std::vector<upload_stream> streams = {});
    /// `on_item` per StreamItem, then `on_complete` once (nullptr = completed normally).
    stream_subscription stream_async(std::string method, arguments args, std::vector<upload_stream> streams,
                                     std::function<void(const value&)> on_item,
                                     std::function<void(std::exception_ptr)> on_complete);

    // ---- client methods (GRP-008, CR-002..005) ----
    using handler_id = std::uint64_t;
    /// `handler(const arguments&)` may return void, or a value: its client result.
    template <class F>
    handler_id on(std::string_view method, F handler);
    /// The untyped form: nullopt = returned nothing.
    handler_id on_raw(std::string_view method, std::function<std::optional<value>(const arguments&)> handler);
    void off(std::string_view method);
    void off(std::string_view method, handler_id id);

    // ---- events ----
    void on_reconnecting(std::function<void(const std::optional<std::string>& error)> callback);
    void on_reconnected(std::function<void(const std::optional<std::string>& connection_id)> callback);
    void on_close(std::function<void(const std::optional<std::string>& error)> callback);

private:
    std::unique_ptr<detail::connection_runtime> runtime_;
    std::shared_ptr<detail::connection_core> core_;
};

template <class T>
std::future<T> hub_connection::invoke_as(std::string method, arguments args, std::vector<upload_stream> streams) {
    auto promise = std::make_shared<std::promise<T>>();
    auto future = promise->get_future();
    invoke_async(std::move(method), std::move(args), std::move(streams),
                 [promise](std::exception_ptr error, value result) {
                     if (error) return promise->set_exception(error);
                     try {
                         if constexpr (std::is_void_v<T>)
                             promise->set_value();
                         else
                             promise->set_value(from_value<T>(result));
                     } catch (...) {
                         promise->set_exception(std::current_exception());
                     }
                 });
    return future;
}

template <class F>
hub_connection::handler_id hub_connection::on(std::string_view method, F handler) {
    using returned = std::invoke_result_t<F&, const arguments&>;
    if constexpr (std::is_void_v<returned>) {
        return on_raw(method, [h = std::move(handler)](const arguments& args) mutable -> std::optional<value> {
            h(args);
            return std::nullopt;
        });
    } else {
        return on_raw(method, [h = std::move(handler)](const arguments& args) mutable -> std::optional<value> {
            return std::optional<value>(h(args));
        });
    }
}

} // namespace hubspec::client
