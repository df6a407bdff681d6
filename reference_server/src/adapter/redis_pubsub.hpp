#pragma once
// The backplane's bus on Redis: two connections on the server's hub strand, one in
// subscriber mode and one for PUBLISH (RB-077), RESP parsed and commands formatted by
// Debian's libhiredis. Either connection reconnects by itself; the subscriber then
// subscribes every channel it held again (RB-073). While Redis is away one log line
// says so, publications fail at once as `not_sent`, and the line that says it is back
// also says what was lost (RB-072).

#include "hub/pubsub.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace hubspec::server::detail {

/// Where Redis is, and the credentials its AUTH wants (none: no AUTH).
struct redis_address {
    std::string host;
    std::uint16_t port = 6379;
    std::string user;     // Redis 6 ACL user; empty: AUTH with the password alone
    std::string password; // empty: no AUTH
};

class redis_pubsub final : public pubsub {
public:
    /// Starts connecting at once; works offline until Redis answers (RB-074). A refused AUTH is
    /// reported like an outage and tried again.
    /// `hub`: the strand the hubs run on; replies and outages are handled there.
    redis_pubsub(const boost::asio::any_io_executor& hub, redis_address address);
    ~redis_pubsub() override;
    redis_pubsub(const redis_pubsub&) = delete;
    redis_pubsub& operator=(const redis_pubsub&) = delete;

    void publish(std::string channel, std::string payload, std::function<void(publish_outcome)> done) override;
    void subscribe(const std::string& channel, message_handler on_message, std::function<void()> confirmed) override;
    void unsubscribe(const std::string& channel) override;

    /// Closes both connections for good (server shutdown).
    void close();

private:
    struct state;
    std::shared_ptr<state> state_;
};

} // namespace hubspec::server::detail
