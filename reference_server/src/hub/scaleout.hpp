#pragma once
// One hub's place in a cluster on ASP.NET Core's Redis backplane
// (shared/spec/redis-backplane.md): what the hub's sends publish, what comes back
// from the channels it holds and how it reaches local connections, group changes
// for connections on other nodes (command and ack), and client results across
// nodes. The wire is protocol/backplane.hpp's; the bus is a pubsub; the local
// connections are the hub_lifetime's, which owns this node.

#include "hubspec/protocol/backplane.hpp"
#include "hubspec/protocol/hub_message.hpp"
#include "hubspec/server/hub_context.hpp"

#include "pubsub.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace hubspec::server::detail {

class hub_lifetime;
class hub_connection;

struct scaleout_settings {
    std::string channel_prefix; // {P} (RB-001)
    std::string hub_key;        // {H}: the hub's .NET type name in a mixed cluster (RB-002, RB-003)
    std::string server_name;    // {S}: host_<32 hex> (RB-012)
    /// The protocols every publication carries, in this order (RB-046).
    std::vector<std::string> protocols{"json", "messagepack"};
    std::chrono::milliseconds ack_timeout{30000};           // a group change for a remote connection (RB-060)
    std::chrono::milliseconds client_result_timeout{30000}; // a client result from a remote connection (RB-070)
};

/// What a group change for another node's connection reports: nullopt when done.
using group_change_done = std::function<void(std::optional<std::string> error)>;

class scaleout_node {
public:
    scaleout_node(pubsub& bus, scaleout_settings settings, hub_lifetime& local);
    ~scaleout_node();
    scaleout_node(const scaleout_node&) = delete;
    scaleout_node& operator=(const scaleout_node&) = delete;

    /// Subscribes the node's four channels (RB-014). At shutdown the node is dropped with its Redis
    /// connections, which ends its subscriptions (RB-020).
    void start();

    // ---- what the local hub_lifetime reports ---------------------------------

    /// A connection came: its channel (RB-015); `first_of_user`: the user's channel too (RB-016).
    void connected(const std::string& connection_id, const std::string* first_of_user);
    /// A connection left: its channel, the user's when it was the last (RB-016, RB-019).
    void disconnected(const std::string& connection_id, const std::string* last_of_user);
    /// The first local member joined `group`: `done` runs once the channel is subscribed (RB-017, RB-018).
    void group_gained(const std::string& group, std::function<void()> done);
    /// The last local member left `group`.
    void group_lost(const std::string& group);

    // ---- what hub code asks --------------------------------------------------

    /// Publishes a send on its channel (RB-021); the local clients get it when it comes back (RB-023).
    void publish(client_proxy::target_kind kind, const std::string& name, std::vector<std::string> excluded_ids,
                 const protocol::hub_message& message);
    /// Adds or removes a connection hosted elsewhere: group command, then the ack or a timeout (RB-053, RB-060).
    void change_remote_group(protocol::backplane::group_action action, const std::string& connection_id,
                             const std::string& group, group_change_done done);
    /// A client result from a connection hosted elsewhere (RB-062, RB-063, RB-067, RB-070).
    void invoke_remote(const std::string& connection_id, std::string_view method, value_list arguments,
                       std::function<void(client_result)> on_result);

private:
    struct pending_ack;
    struct pending_result;

    protocol::backplane::invocation serialize(const protocol::hub_message& message) const;
    /// Publishes `payload`; when the bus was down, hands it to `locally` (RB-075).
    void publish_or_deliver(std::string channel, std::string payload,
                            std::function<void(const protocol::backplane::invocation&)> locally);

    void on_invocation(client_proxy::target_kind kind, const std::string& name, std::string_view payload);
    void on_connection_message(const std::string& connection_id, std::string_view payload);
    void on_group_command(std::string_view payload);
    void on_ack(std::string_view payload);
    void on_result(std::string_view payload);
    /// Hands a remote caller the answer of a local client (RB-065, RB-066).
    void answer_remote(const std::string& return_channel, const std::string& protocol_name,
                       const protocol::completion_message& completion);

    pubsub& bus_;
    scaleout_settings settings_;
    protocol::backplane::channel_names channels_;
    hub_lifetime& local_;
    std::uint32_t next_command_id_ = 0; // wraps to negative int32 ids, as .NET's does (RB-054)
    std::unordered_map<std::int32_t, std::shared_ptr<pending_ack>> acks_;
    std::unordered_map<std::string, std::shared_ptr<pending_result>> results_;
};

} // namespace hubspec::server::detail
