#pragma once
// Checks a stream of MONITOR commands against ASP.NET Core's Redis backplane
// (shared/spec/redis-backplane.md), command by command, then what only the end can
// tell (group commands never acknowledged). Knows each connection to Redis by its
// client address: a node is a connection that subscribed a hub's four channels.

#include "monitor_line.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace hubspec::harness::backplane {

struct finding {
    std::string requirement; // "RB-037"
    std::size_t command = 0; // 1-based index of the command in the stream
    std::string channel;
    std::string text;
};

class backplane_checker {
public:
    /// `hub`: only that hub key; empty: every hub key seen.
    backplane_checker(std::string prefix, std::string hub);

    void feed(const monitor_command& command);
    /// What the stream's end settles; call once.
    void finish();

    const std::vector<finding>& findings() const noexcept { return findings_; }
    /// Payloads checked, by channel kind ("all", "group", …).
    const std::map<std::string, std::size_t>& published() const noexcept { return published_; }
    std::size_t commands() const noexcept { return commands_; }
    /// Connections that subscribed a hub's four channels: the nodes seen.
    std::size_t nodes() const;

private:
    struct pending_command {
        std::uint8_t action = 0;
        std::string group;
        std::string connection_id;
        std::string hub_key;
        std::size_t command = 0;
    };

    void report(std::string requirement, const std::string& channel, std::string text);
    void on_subscribe(const monitor_command& command, const std::string& channel);
    void on_unsubscribe(const monitor_command& command, const std::string& channel);
    void on_publish(const std::string& channel, const std::string& payload);
    void check_invocation(const std::string& channel, std::string_view kind, std::string_view hub_key,
                          const std::string& payload);
    void check_group_command(const std::string& channel, std::string_view hub_key, const std::string& payload);
    void check_ack(const std::string& channel, std::string_view hub_key, std::string_view server,
                   const std::string& payload);
    void check_completion(const std::string& channel, const std::string& payload);
    /// Re-encoding what was decoded gives the same bytes: the smallest encodings, no extra items.
    void check_canonical(const std::string& channel, const std::string& payload, const std::string& again);
    void check_server_name(const std::string& channel, std::string_view name, std::string_view requirement);
    /// The clients that hold `channel` now (more than one for a node seen before and after a reconnect).
    std::vector<std::string> holders_of(const std::string& channel) const;

    std::string prefix_;
    std::string hub_;
    std::size_t commands_ = 0;
    std::vector<finding> findings_;
    std::map<std::string, std::size_t> published_;
    std::map<std::string, std::vector<std::string>> subscriptions_by_client_; // in order, for RB-014
    std::map<std::string, std::set<std::string>> held_by_client_;             // now
    std::set<std::pair<std::string, std::string>> nodes_;                     // (client, hub key)
    std::set<std::string> servers_seen_; // server names whose first subscriptions were checked (RB-014)
    std::map<std::pair<std::string, std::int32_t>, pending_command> commands_pending_; // (server, id)
    std::map<std::string, std::string> requests_pending_; // invocation id -> return channel with prefix
};

} // namespace hubspec::harness::backplane
