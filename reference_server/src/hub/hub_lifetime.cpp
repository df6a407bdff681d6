#include "hub_lifetime.hpp"

#include "hub_connection.hpp"

#include "hubspec/protocol/detail/helpers.hpp"
#include "hubspec/protocol/hub_protocol.hpp"
#include "hubspec/protocol/texts.hpp"

#include <algorithm>
#include <iterator>

namespace hubspec::server::detail {

namespace p = hubspec::protocol;
namespace bp = hubspec::protocol::backplane;

void hub_lifetime::add(const std::shared_ptr<hub_connection>& connection) {
    const auto& identity = connection->identity();
    connections_[identity.connection_id] = connection;
    const std::string* first_of_user = nullptr;
    if (identity.user_identifier) {
        auto& ids = users_[*identity.user_identifier];
        ids.insert(identity.connection_id);
        if (ids.size() == 1) first_of_user = &*identity.user_identifier;
    }
    if (scaleout_) scaleout_->connected(identity.connection_id, first_of_user); // RB-015, RB-016
}

void hub_lifetime::remove(hub_connection& connection) {
    const auto& identity = connection.identity();
    connections_.erase(identity.connection_id);
    const std::string* last_of_user = nullptr;
    if (identity.user_identifier) {
        if (auto it = users_.find(*identity.user_identifier); it != users_.end()) {
            it->second.erase(identity.connection_id);
            if (it->second.empty()) {
                users_.erase(it);
                last_of_user = &*identity.user_identifier;
            }
        }
    }
    // RB-019: local only, no group command; a group's channel goes with its last member.
    for (const auto& group : connection.groups()) {
        if (auto it = groups_.find(group); it != groups_.end()) {
            it->second.erase(identity.connection_id);
            if (it->second.empty()) {
                groups_.erase(it);
                if (scaleout_) scaleout_->group_lost(group);
            }
        }
    }
    if (scaleout_) scaleout_->disconnected(identity.connection_id, last_of_user);
}

std::shared_ptr<hub_connection> hub_lifetime::find(std::string_view connection_id) const {
    auto it = connections_.find(std::string(connection_id));
    return it == connections_.end() ? nullptr : it->second.lock();
}

std::string hub_lifetime::group_key(const std::string& group) const {
    return faults_->hooks().group_key(group); // GRP-003
}

void hub_lifetime::add_to_group(const std::string& connection_id, const std::string& name, group_change_done done) {
    auto connection = find(connection_id);
    if (!connection) {
        if (scaleout_ && faults_->hooks().publishes_remote_group_changes()) // RB-053
            return scaleout_->change_remote_group(bp::group_action::add, connection_id, name, std::move(done));
        if (done) done(std::nullopt); // as ASP.NET Core's default lifetime manager: nothing to add
        return;
    }
    const std::string group = group_key(name);
    connection->groups().insert(group);
    auto& members = groups_[group];
    members.insert(connection_id);
    if (scaleout_) {
        // RB-017, RB-018: the join holds once Redis confirmed the group's channel (at once when it has).
        scaleout_->group_gained(group, [done = std::move(done)] {
            if (done) done(std::nullopt);
        });
        return;
    }
    if (done) done(std::nullopt);
}

void hub_lifetime::remove_from_group(const std::string& connection_id, const std::string& name,
                                     group_change_done done) {
    auto connection = find(connection_id);
    if (!connection && scaleout_ && faults_->hooks().publishes_remote_group_changes()) // RB-053
        return scaleout_->change_remote_group(bp::group_action::remove, connection_id, name, std::move(done));
    const std::string group = group_key(name);
    if (connection) connection->groups().erase(group);
    if (auto it = groups_.find(group); it != groups_.end()) {
        it->second.erase(connection_id);
        if (it->second.empty()) {
            groups_.erase(it);
            if (scaleout_) scaleout_->group_lost(group);
        }
    }
    if (done) done(std::nullopt);
}

std::vector<std::shared_ptr<hub_connection>> hub_lifetime::targets(client_proxy::target_kind kind,
                                                                   const std::string& name,
                                                                   const std::vector<std::string>& excluded_ids) const {
    using kinds = client_proxy::target_kind;
    auto excluded = [&](const std::string& id) {
        return std::find(excluded_ids.begin(), excluded_ids.end(), id) != excluded_ids.end();
    };
    std::vector<std::shared_ptr<hub_connection>> out;
    auto add_ids = [&](const std::set<std::string>& ids) {
        for (const auto& id : ids) {
            if (excluded(id)) continue;
            if (auto c = find(id)) out.push_back(std::move(c));
        }
    };
    switch (kind) {
    case kinds::group:
    case kinds::group_except: {
        if (auto it = groups_.find(group_key(name)); it != groups_.end()) add_ids(it->second);
        break;
    }
    case kinds::all:
    case kinds::all_except:
        out.reserve(connections_.size());
        for (const auto& [id, weak] : connections_) {
            if (excluded(id)) continue;
            if (auto c = weak.lock()) out.push_back(std::move(c));
        }
        break;
    case kinds::connection:
        if (auto c = find(name)) out.push_back(std::move(c));
        break;
    case kinds::user:
        if (auto it = users_.find(name); it != users_.end()) add_ids(it->second);
        out.resize(faults_->hooks().user_recipients(out.size())); // GRP-004
        break;
    }
    return out;
}

void hub_lifetime::send(client_proxy::target_kind kind, const std::string& name, const std::string& caller,
                        std::string_view method, value_list arguments) {
    std::vector<std::string> excluded;
    if (const std::string_view id = faults_->hooks().excluded(caller); !id.empty())
        excluded.emplace_back(id); // GRP-006
    const p::hub_message message =
        p::invocation_message{{}, std::nullopt, std::string(method), std::move(arguments), {}};
    const bool local_connection = kind == client_proxy::target_kind::connection && find(name);
    if (scaleout_ && !local_connection) { // RB-023; a local single connection is written directly (RB-024)
        scaleout_->publish(kind, name, excluded, message);
        if (!faults_->hooks().backplane_local_copy()) return;
    }
    auto recipients = targets(kind, name, excluded);
    if (recipients.empty()) return; // GRP-007
    // Serialized at most once per protocol, shared by every recipient (GRP-001).
    std::shared_ptr<const std::string> json;
    std::shared_ptr<const std::string> messagepack;
    for (const auto& c : recipients) {
        const p::hub_protocol* protocol = c->protocol();
        if (protocol == nullptr) continue;
        auto& bytes = protocol->format() == p::transfer_format::binary ? messagepack : json;
        if (!bytes) bytes = std::make_shared<const std::string>(protocol->encode(message));
        c->send_encoded(bytes);
    }
}

void hub_lifetime::invoke(const std::string& connection_id, std::string_view method, value_list arguments,
                          std::function<void(client_result)> on_result) {
    if (auto connection = find(connection_id)) {
        connection->invoke_client(method, std::move(arguments), std::move(on_result));
    } else if (scaleout_) {
        scaleout_->invoke_remote(connection_id, method, std::move(arguments), std::move(on_result));
    } else {
        on_result({std::nullopt, "Connection '" + connection_id + "' does not exist."}); // CR-007
    }
}

void hub_lifetime::scale_out(pubsub& bus, scaleout_settings settings) {
    scaleout_ = std::make_unique<scaleout_node>(bus, std::move(settings), *this);
    scaleout_->start();
}

void hub_lifetime::leave_backplane() {
    scaleout_.reset(); // its bus goes next; Redis drops the subscriptions with the connection (RB-020)
}

void hub_lifetime::deliver(client_proxy::target_kind kind, const std::string& name, const bp::invocation& payload) {
    using kinds = client_proxy::target_kind;
    static const std::vector<std::string> nobody;
    // RB-026: .NET ignores the excluded list on user and connection channels.
    const bool honours_exclusions = kind != kinds::user && kind != kinds::connection;
    const std::string key = kind == kinds::group || kind == kinds::group_except ? group_key(name) : name;
    auto recipients = targets(kind, key, honours_exclusions ? payload.excluded_ids : nobody);
    std::vector<std::pair<std::string_view, std::shared_ptr<const std::string>>> shared; // per protocol
    for (const auto& c : recipients) {
        const p::hub_protocol* protocol = c->protocol();
        if (protocol == nullptr) continue;
        auto cached =
            std::find_if(shared.begin(), shared.end(), [&](const auto& s) { return s.first == protocol->name(); });
        if (cached == shared.end()) {
            const std::string* bytes = payload.message_for(protocol->name()); // RB-047
            shared.emplace_back(protocol->name(), bytes ? std::make_shared<const std::string>(*bytes) : nullptr);
            cached = std::prev(shared.end());
        }
        if (!cached->second) {
            // RB-048, RB-049: never another protocol's bytes; the connection ends as on .NET.
            c->close({std::string(p::texts::backplane_protocol_missing), false}, "RB-049");
            continue;
        }
        c->send_encoded(cached->second);
    }
}

} // namespace hubspec::server::detail
