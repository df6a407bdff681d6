#include "hub_lifetime.hpp"

#include "hub_connection.hpp"

#include "hubspec/protocol/detail/helpers.hpp"
#include "hubspec/protocol/hub_protocol.hpp"

namespace hubspec::server::detail {

namespace p = hubspec::protocol;

void hub_lifetime::add(const std::shared_ptr<hub_connection>& connection) {
    const auto& identity = connection->identity();
    connections_[identity.connection_id] = connection;
    if (identity.user_identifier) users_[*identity.user_identifier].insert(identity.connection_id);
}

void hub_lifetime::remove(hub_connection& connection) {
    const auto& identity = connection.identity();
    connections_.erase(identity.connection_id);
    if (identity.user_identifier) {
        if (auto it = users_.find(*identity.user_identifier); it != users_.end()) {
            it->second.erase(identity.connection_id);
            if (it->second.empty()) users_.erase(it);
        }
    }
    for (const auto& group : connection.groups()) {
        if (auto it = groups_.find(group); it != groups_.end()) {
            it->second.erase(identity.connection_id);
            if (it->second.empty()) groups_.erase(it);
        }
    }
}

std::shared_ptr<hub_connection> hub_lifetime::find(std::string_view connection_id) const {
    auto it = connections_.find(std::string(connection_id));
    return it == connections_.end() ? nullptr : it->second.lock();
}

std::string hub_lifetime::group_key(const std::string& group) const {
    return faults_->hooks().group_key(group); // GRP-003
}

void hub_lifetime::add_to_group(const std::string& connection_id, const std::string& name) {
    auto connection = find(connection_id);
    if (!connection) return;
    const std::string group = group_key(name);
    connection->groups().insert(group);
    groups_[group].insert(connection_id);
}

void hub_lifetime::remove_from_group(const std::string& connection_id, const std::string& name) {
    const std::string group = group_key(name);
    if (auto connection = find(connection_id)) connection->groups().erase(group);
    if (auto it = groups_.find(group); it != groups_.end()) {
        it->second.erase(connection_id);
        if (it->second.empty()) groups_.erase(it);
    }
}

std::vector<std::shared_ptr<hub_connection>>
hub_lifetime::targets(client_proxy::target_kind kind, const std::string& name, const std::string& caller) const {
    using kinds = client_proxy::target_kind;
    const std::string_view excluded = faults_->hooks().excluded(caller); // GRP-006
    std::vector<std::shared_ptr<hub_connection>> out;
    auto add_ids = [&](const std::set<std::string>& ids) {
        for (const auto& id : ids) {
            if (id == excluded) continue;
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
            if (id == excluded) continue;
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

void hub_lifetime::send(client_proxy::target_kind kind, const std::string& name, const std::string& excluded,
                        std::string_view method, std::vector<value> arguments) {
    auto recipients = targets(kind, name, excluded);
    if (recipients.empty()) return; // GRP-007
    const p::hub_message message =
        p::invocation_message{{}, std::nullopt, std::string(method), std::move(arguments), {}};
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

} // namespace hubspec::server::detail
