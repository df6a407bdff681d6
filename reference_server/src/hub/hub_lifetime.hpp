#pragma once
// The connections of one hub endpoint: lookup by connection id, groups and
// users, and sending to a target (Clients.*) with each protocol's bytes
// serialized once (GRP-001). Scaled out (scale_out()), sends go through the
// backplane and come back to deliver(); groups of other nodes' connections
// change by group command (scaleout.hpp).

#include "fault_state.hpp"
#include "hubspec/protocol/backplane.hpp"
#include "hubspec/server/hub.hpp"
#include "hubspec/server/options.hpp"
#include "scaleout.hpp"
#include "scheduler.hpp"

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hubspec::server::detail {

class hub_connection;

class hub_lifetime : public std::enable_shared_from_this<hub_lifetime> {
public:
    hub_lifetime(hub definition, const hub_options& options, scheduler& timers,
                 std::shared_ptr<const fault_state> faults = std::make_shared<const fault_state>())
        : definition_(std::move(definition)), options_(options), timers_(timers), faults_(std::move(faults)) {}

    const hub& definition() const noexcept { return definition_; }
    const hub_options& options() const noexcept { return options_; }
    scheduler& timers() noexcept { return timers_; }
    /// What the control API switched on (no Pings, delayed sends).
    const fault_state& faults() const noexcept { return *faults_; }

    void add(const std::shared_ptr<hub_connection>& connection);
    /// Drops the connection, its groups and its user entry (GRP-003).
    void remove(hub_connection& connection);
    std::shared_ptr<hub_connection> find(std::string_view connection_id) const;
    std::size_t size() const noexcept { return connections_.size(); }

    /// `done` runs once the change holds: at once for a local connection on one node; after the
    /// group channel's subscription (RB-018) or the remote node's ack (RB-056) when scaled out.
    void add_to_group(const std::string& connection_id, const std::string& group, group_change_done done = {});
    void remove_from_group(const std::string& connection_id, const std::string& group, group_change_done done = {});

    /// One non-blocking Invocation to every connection of the target (GRP-001, GRP-006, GRP-007).
    void send(client_proxy::target_kind kind, const std::string& name, const std::string& excluded,
              std::string_view method, value_list arguments);
    /// A client result (CR-001) from a connection here or, scaled out, on another node.
    void invoke(const std::string& connection_id, std::string_view method, value_list arguments,
                std::function<void(client_result)> on_result);

    // ---- scale-out ------------------------------------------------------------------

    /// Joins a backplane: from now on sends are published on `bus` (the node subscribes its channels).
    void scale_out(pubsub& bus, scaleout_settings settings);
    /// Server shutdown: no more backplane; what is left of the hub works on this node alone.
    void leave_backplane();
    /// A send that came back from the backplane, to the local connections it targets (RB-025,
    /// RB-026), each given the bytes of its own protocol (RB-047) or closed when there are none (RB-049).
    void deliver(client_proxy::target_kind kind, const std::string& name,
                 const protocol::backplane::invocation& payload);

private:
    std::vector<std::shared_ptr<hub_connection>> targets(client_proxy::target_kind kind, const std::string& name,
                                                         const std::vector<std::string>& excluded) const;
    /// The key a group is kept under: its name (GRP-003).
    std::string group_key(const std::string& group) const;

    hub definition_;
    hub_options options_;
    scheduler& timers_;
    std::shared_ptr<const fault_state> faults_;
    std::unordered_map<std::string, std::weak_ptr<hub_connection>> connections_;
    std::unordered_map<std::string, std::set<std::string>> groups_; // group -> connection ids
    std::unordered_map<std::string, std::set<std::string>> users_;  // user -> connection ids
    std::unique_ptr<scaleout_node> scaleout_;
};

} // namespace hubspec::server::detail
