#pragma once
// Helpers shared by the interop tests: connections to the peer and awaited events.

#include <hubspec/client.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
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

template <class T>
T await(std::future<T> f) {
    REQUIRE(f.wait_for(await_timeout) == std::future_status::ready);
    return f.get();
}

} // namespace hubspec::client::test
