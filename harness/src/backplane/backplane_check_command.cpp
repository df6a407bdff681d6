// `hubspec backplane-check`: the commands to check come from Redis's MONITOR, live
// (libhiredis's reader on a blocking socket, polled so that a signal or the duration
// ends the watch) or from a log `redis-cli MONITOR` wrote.
#include "hubspec/harness/backplane_check.hpp"

#include "backplane_checker.hpp"
#include "engine/redis_admin.hpp"
#include "monitor_line.hpp"

#include "hubspec/protocol/json_value.hpp"
#include "hubspec/protocol/value.hpp"

#include <hiredis/hiredis.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <memory>
#include <ostream>
#include <poll.h>

namespace hubspec::harness {

namespace {

using backplane::backplane_checker;
using backplane::finding;

std::atomic<bool> interrupted{false};

extern "C" void on_stop_signal(int) {
    interrupted = true;
}

struct context_deleter {
    void operator()(redisContext* c) const noexcept { redisFree(c); }
};

/// Prints each finding as the checker makes it (text mode), so that a live watch shows them at once.
class reporter {
public:
    reporter(const backplane_check_options& options, std::ostream& out) : options_(options), out_(out) {}

    void flush(const backplane_checker& checker) {
        const auto& all = checker.findings();
        for (; shown_ < all.size(); ++shown_) {
            if (options_.json) continue;
            const finding& f = all[shown_];
            out_ << "FAIL " << f.requirement << " (command " << f.command << ", " << f.channel << "): " << f.text
                 << "\n";
        }
        out_.flush();
    }

    int summary(const backplane_checker& checker) {
        flush(checker);
        if (options_.json) {
            protocol::map m;
            m.push_back({protocol::value("commands"), protocol::value(static_cast<std::int64_t>(checker.commands()))});
            m.push_back({protocol::value("nodes"), protocol::value(static_cast<std::int64_t>(checker.nodes()))});
            protocol::map published;
            for (const auto& [kind, n] : checker.published())
                published.push_back({protocol::value(kind), protocol::value(static_cast<std::int64_t>(n))});
            m.push_back({protocol::value("published"), protocol::value(std::move(published))});
            protocol::array findings;
            for (const auto& f : checker.findings()) {
                protocol::map o;
                o.push_back({protocol::value("requirement"), protocol::value(f.requirement)});
                o.push_back({protocol::value("command"), protocol::value(static_cast<std::int64_t>(f.command))});
                o.push_back({protocol::value("channel"), protocol::value(f.channel)});
                o.push_back({protocol::value("text"), protocol::value(f.text)});
                findings.push_back(protocol::value(std::move(o)));
            }
            m.push_back({protocol::value("findings"), protocol::value(std::move(findings))});
            out_ << protocol::to_json(protocol::value(std::move(m))) << "\n";
        } else {
            out_ << "backplane-check: " << checker.commands() << " commands, " << checker.nodes()
                 << " node connection(s) seen subscribing; payloads checked:";
            if (checker.published().empty()) out_ << " none";
            for (const auto& [kind, n] : checker.published())
                out_ << " " << kind << " " << n;
            out_ << "\nbackplane-check: " << checker.findings().size() << " finding(s)\n";
        }
        return checker.findings().empty() ? 0 : 1;
    }

private:
    const backplane_check_options& options_;
    std::ostream& out_;
    std::size_t shown_ = 0;
};

int check_log(const backplane_check_options& options, std::ostream& out, std::ostream& err) {
    std::ifstream in(options.monitor_log, std::ios::binary);
    if (!in) {
        err << "hubspec backplane-check: cannot read " << options.monitor_log << "\n";
        return 2;
    }
    backplane_checker checker(options.prefix, options.hub);
    reporter report(options, out);
    std::string line;
    while (std::getline(in, line)) {
        if (auto command = backplane::parse_monitor_line(line)) checker.feed(*command);
    }
    checker.finish();
    return report.summary(checker);
}

int check_live(const backplane_check_options& options, std::ostream& out, std::ostream& err) {
    const auto where = detail::parse_redis_url(options.redis_url);
    if (!where) {
        err << "hubspec backplane-check: '" << options.redis_url << "' is not redis://[[USER]:PASSWORD@]HOST:PORT\n";
        return 2;
    }
    const std::string host = where->host;
    const int port = where->port;
    const timeval connect_timeout{5, 0};
    std::unique_ptr<redisContext, context_deleter> redis(redisConnectWithTimeout(host.c_str(), port, connect_timeout));
    if (!redis || redis->err) {
        err << "hubspec backplane-check: cannot connect to Redis at " << host << ":" << port << ": "
            << (redis ? redis->errstr : "out of memory") << "\n";
        return 2;
    }
    if (auto refused = detail::authenticate(redis.get(), *where)) {
        err << "hubspec backplane-check: Redis at " << host << ":" << port << " refused AUTH: " << *refused << "\n";
        return 2;
    }
    void* raw = redisCommand(redis.get(), "MONITOR");
    if (raw == nullptr) {
        err << "hubspec backplane-check: MONITOR failed: " << redis->errstr << "\n";
        return 2;
    }
    freeReplyObject(raw);

    interrupted = false;
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    const auto deadline = std::chrono::steady_clock::now() + options.duration;
    if (!options.json)
        out << "backplane-check: watching Redis at " << host << ":" << port
            << (options.duration.count() > 0 ? "" : " until interrupted") << "\n"
            << std::flush;

    backplane_checker checker(options.prefix, options.hub);
    reporter report(options, out);
    int status = -1;
    while (!interrupted && (options.duration.count() == 0 || std::chrono::steady_clock::now() < deadline)) {
        pollfd watched{redis->fd, POLLIN, 0};
        if (::poll(&watched, 1, 200) <= 0) continue;
        if (redisBufferRead(redis.get()) != REDIS_OK) {
            err << "hubspec backplane-check: Redis connection lost: " << redis->errstr << "\n";
            status = 2;
            break;
        }
        for (;;) {
            void* reply = nullptr;
            if (redisGetReplyFromReader(redis.get(), &reply) != REDIS_OK) {
                err << "hubspec backplane-check: unreadable reply: " << redis->errstr << "\n";
                return 2;
            }
            if (reply == nullptr) break;
            const auto* r = static_cast<redisReply*>(reply);
            if (r->type == REDIS_REPLY_STATUS) {
                if (auto command = backplane::parse_monitor_line(std::string_view(r->str, r->len)))
                    checker.feed(*command);
            }
            freeReplyObject(reply);
        }
        report.flush(checker);
    }
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    checker.finish();
    const int verdict = report.summary(checker);
    return status == 2 ? 2 : verdict;
}

} // namespace

int backplane_check_command(const backplane_check_options& options, std::ostream& out, std::ostream& err) {
    if (options.monitor_log.empty() == options.redis_url.empty()) {
        err << "hubspec backplane-check: give either a Redis URL to watch or --monitor-log FILE\n";
        return 2;
    }
    return options.monitor_log.empty() ? check_live(options, out, err) : check_log(options, out, err);
}

} // namespace hubspec::harness
