#pragma once
// The publish/subscribe bus a scaled-out hub talks to (Redis, RB-077), without
// Asio in sight: adapter/redis_pubsub.cpp implements it on the I/O thread. Every
// callback runs on that thread.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace hubspec::server::detail {

/// How one PUBLISH ended.
struct publish_outcome {
    enum class state {
        published,  // Redis took it; `receivers` subscribers got it
        not_sent,   // the bus was down: the message was never sent (RB-075 may deliver it locally)
        maybe_sent, // the connection dropped with the command in flight: nobody knows
    };
    state how = state::published;
    std::int64_t receivers = 0;
};

class pubsub {
public:
    using message_handler = std::function<void(std::string_view payload)>;

    virtual ~pubsub() = default;

    /// PUBLISH, in call order (RB-079); `done` (may be empty) learns how it went.
    virtual void publish(std::string channel, std::string payload, std::function<void(publish_outcome)> done = {}) = 0;

    /// SUBSCRIBE `channel`, held across reconnects (RB-073); `confirmed` runs once Redis
    /// confirmed it, or at once while the bus is down (nothing can be missed that a
    /// confirmation would have caught). One handler per channel: a second subscribe
    /// replaces it.
    virtual void subscribe(const std::string& channel, message_handler on_message,
                           std::function<void()> confirmed = {}) = 0;
    virtual void unsubscribe(const std::string& channel) = 0;

protected:
    pubsub() = default;
    pubsub(const pubsub&) = default;
    pubsub& operator=(const pubsub&) = default;
};

} // namespace hubspec::server::detail
