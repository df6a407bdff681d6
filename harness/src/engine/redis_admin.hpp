#pragma once
// The few Redis commands the harness sends itself, to a cluster's backplane (blocking, with
// a timeout; libhiredis): which channels are held and by how many, and the fault of dropping
// every subscriber connection. Used by the `backplane_fault` step; `backplane-check` reads
// the same Redis through MONITOR.

#include "hubspec/protocol/backplane.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

struct redisContext;

namespace hubspec::harness::detail {

using protocol::backplane::parse_redis_url;
using protocol::backplane::redis_location;

/// Sends AUTH when `where` has a password; the refusal's text, or nullopt when accepted (or none was needed).
std::optional<std::string> authenticate(redisContext* redis, const redis_location& where);

struct redis_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class redis_admin {
public:
    /// Connects; throws redis_error naming the URL and why.
    explicit redis_admin(const std::string& url, std::chrono::milliseconds timeout = std::chrono::seconds(5));
    ~redis_admin();
    redis_admin(const redis_admin&) = delete;
    redis_admin& operator=(const redis_admin&) = delete;

    /// Every channel someone is subscribed to, with its subscriber count (PUBSUB CHANNELS, NUMSUB).
    std::map<std::string, long long> subscriptions();
    /// CLIENT KILL TYPE pubsub: how many subscriber connections Redis dropped.
    long long drop_subscribers();

private:
    struct context_deleter {
        void operator()(redisContext* c) const noexcept;
    };
    std::unique_ptr<redisContext, context_deleter> redis_;
    std::string where_;
};

} // namespace hubspec::harness::detail
