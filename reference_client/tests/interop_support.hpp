#pragma once
// Helpers shared by the interop tests: connections to the peer and awaited events.

#include "peer_process.hpp"

#include <hubspec/client.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace hubspec::client::test {

using namespace std::chrono_literals;

inline constexpr auto await_timeout = 20s;

/// Values or events pushed from the dispatcher, awaited by the test thread.
template <class T>
class mailbox {
public:
    void push(T v) {
        {
            std::lock_guard lock(mutex_);
            items_.push_back(std::move(v));
        }
        ready_.notify_all();
    }
    /// The next item, or nullopt after `timeout`.
    std::optional<T> take(std::chrono::milliseconds timeout = await_timeout) {
        std::unique_lock lock(mutex_);
        if (!ready_.wait_for(lock, timeout, [&] { return !items_.empty(); })) return std::nullopt;
        T v = std::move(items_.front());
        items_.erase(items_.begin());
        return v;
    }
    std::size_t size() {
        std::lock_guard lock(mutex_);
        return items_.size();
    }

private:
    std::mutex mutex_;
    std::condition_variable ready_;
    std::vector<T> items_;
};

inline hub_protocol_kind protocol_named(const std::string& name) {
    return name == "messagepack" ? hub_protocol_kind::messagepack : hub_protocol_kind::json;
}

inline hub_connection_builder websocket_builder(const std::string& url, const std::string& protocol) {
    hub_connection_builder b;
    b.with_url(url).with_transport(transport_type::websockets).with_hub_protocol(protocol_named(protocol));
    return b;
}

/// One transport × hub protocol combination; SSE carries JSON only (SSE-009).
struct cell {
    transport_type transport;
    std::string protocol;
};

inline std::vector<cell> every_cell() {
    return {{transport_type::websockets, "json"},
            {transport_type::websockets, "messagepack"},
            {transport_type::server_sent_events, "json"},
            {transport_type::long_polling, "json"},
            {transport_type::long_polling, "messagepack"}};
}

inline std::string describe(const cell& c) {
    return std::string(hubspec::protocol::transport_name(c.transport)) + "/" + c.protocol;
}

inline hub_connection_builder cell_builder(const std::string& url, const cell& c) {
    hub_connection_builder b;
    b.with_url(url).with_transport(c.transport).with_hub_protocol(protocol_named(c.protocol));
    return b;
}

/// One server per kind for the whole test process: contract tests share it, as
/// they keep no state between connections.
inline peer_process& shared_server(server_kind kind) {
    static std::map<server_kind, std::unique_ptr<peer_process>> servers;
    auto& p = servers[kind];
    if (!p) p = std::make_unique<peer_process>(kind);
    return *p;
}

template <class T>
T await(std::future<T> f) {
    REQUIRE(f.wait_for(await_timeout) == std::future_status::ready);
    return f.get();
}

} // namespace hubspec::client::test
