#include "engine/redis_admin.hpp"

#include <hiredis/hiredis.h>

#include <vector>

namespace hubspec::harness::detail {

namespace {

struct reply_deleter {
    void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
using reply_ptr = std::unique_ptr<redisReply, reply_deleter>;

} // namespace

std::optional<std::string> authenticate(redisContext* redis, const redis_location& where) {
    if (where.password.empty()) return std::nullopt;
    reply_ptr reply(static_cast<redisReply*>(
        where.user.empty() ? redisCommand(redis, "AUTH %b", where.password.data(), where.password.size())
                           : redisCommand(redis, "AUTH %b %b", where.user.data(), where.user.size(),
                                          where.password.data(), where.password.size())));
    if (!reply) return std::string(redis->errstr);
    if (reply->type == REDIS_REPLY_ERROR) return std::string(reply->str, reply->len);
    return std::nullopt;
}

void redis_admin::context_deleter::operator()(redisContext* c) const noexcept {
    redisFree(c);
}

redis_admin::redis_admin(const std::string& url, std::chrono::milliseconds timeout) : where_(url) {
    const auto where = parse_redis_url(url);
    if (!where) throw redis_error("'" + url + "' is not redis://[[USER]:PASSWORD@]HOST:PORT");
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
    const timeval limit{static_cast<time_t>(seconds.count()),
                        static_cast<suseconds_t>((timeout - seconds).count() * 1000)};
    redis_.reset(redisConnectWithTimeout(where->host.c_str(), where->port, limit));
    if (!redis_ || redis_->err)
        throw redis_error("cannot connect to Redis at " + url + ": " + (redis_ ? redis_->errstr : "out of memory"));
    redisSetTimeout(redis_.get(), limit);
    if (auto refused = authenticate(redis_.get(), *where))
        throw redis_error("Redis at " + url + " refused AUTH: " + *refused);
}

redis_admin::~redis_admin() = default;

std::map<std::string, long long> redis_admin::subscriptions() {
    reply_ptr channels(static_cast<redisReply*>(redisCommand(redis_.get(), "PUBSUB CHANNELS")));
    if (!channels || channels->type != REDIS_REPLY_ARRAY)
        throw redis_error("PUBSUB CHANNELS failed at " + where_ + ": " + redis_->errstr);
    std::map<std::string, long long> out;
    if (channels->elements == 0) return out;
    std::vector<const char*> argv{"PUBSUB", "NUMSUB"};
    std::vector<std::size_t> sizes{6, 6};
    for (std::size_t i = 0; i < channels->elements; ++i) {
        argv.push_back(channels->element[i]->str);
        sizes.push_back(channels->element[i]->len);
    }
    reply_ptr counts(static_cast<redisReply*>(
        redisCommandArgv(redis_.get(), static_cast<int>(argv.size()), argv.data(), sizes.data())));
    if (!counts || counts->type != REDIS_REPLY_ARRAY)
        throw redis_error("PUBSUB NUMSUB failed at " + where_ + ": " + redis_->errstr);
    for (std::size_t i = 0; i + 1 < counts->elements; i += 2)
        out[std::string(counts->element[i]->str, counts->element[i]->len)] = counts->element[i + 1]->integer;
    return out;
}

long long redis_admin::drop_subscribers() {
    reply_ptr killed(static_cast<redisReply*>(redisCommand(redis_.get(), "CLIENT KILL TYPE pubsub")));
    if (!killed || killed->type != REDIS_REPLY_INTEGER)
        throw redis_error("CLIENT KILL TYPE pubsub failed at " + where_ + ": " +
                          (killed && killed->type == REDIS_REPLY_ERROR ? killed->str : redis_->errstr));
    return killed->integer;
}

} // namespace hubspec::harness::detail
