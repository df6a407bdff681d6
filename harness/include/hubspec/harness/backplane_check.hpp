#pragma once
// `hubspec backplane-check`: watches a Redis backplane (Redis's MONITOR, live or from a
// log) and checks every command the nodes send against ASP.NET Core's wire
// (shared/spec/redis-backplane.md): channel names, subscription order, every payload
// decoded and re-encoded, group commands answered by acks after the host subscribed,
// client results answered on the asker's return channel. Each finding names its RB-
// requirement. Exit codes: 0 nothing found, 1 findings, 2 bad usage or no Redis.

#include <chrono>
#include <iosfwd>
#include <string>

namespace hubspec::harness {

struct backplane_check_options {
    std::string redis_url;                 // redis://HOST:PORT: watch live (MONITOR)
    std::string monitor_log;               // or read a `redis-cli MONITOR` log
    std::string prefix;                    // the nodes' channel prefix (RB-001)
    std::string hub;                       // only this hub key; empty: every hub key seen
    std::chrono::milliseconds duration{0}; // live: how long to watch; 0 = until SIGINT/SIGTERM
    bool json = false;                     // one JSON object at the end instead of text
};

int backplane_check_command(const backplane_check_options& options, std::ostream& out, std::ostream& err);

} // namespace hubspec::harness
