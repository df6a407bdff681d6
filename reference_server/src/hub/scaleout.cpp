#include "scaleout.hpp"

#include "hub_connection.hpp"
#include "hub_lifetime.hpp"
#include "log.hpp"
#include "random_bytes.hpp"

#include "hubspec/protocol/hub_protocol.hpp"

#include <algorithm>
#include <utility>

namespace hubspec::server::detail {

namespace p = hubspec::protocol;
namespace bp = hubspec::protocol::backplane;
using kinds = client_proxy::target_kind;

struct scaleout_node::pending_ack {
    group_change_done done;
    timer_handle timeout;
};

struct scaleout_node::pending_result {
    std::function<void(client_result)> on_result;
    timer_handle timeout;
};

scaleout_node::scaleout_node(pubsub& bus, scaleout_settings settings, hub_lifetime& local)
    : bus_(bus), settings_(std::move(settings)), channels_(settings_.channel_prefix, settings_.hub_key), local_(local) {
}

scaleout_node::~scaleout_node() {
    for (auto& [id, ack] : acks_)
        ack->timeout.cancel();
    for (auto& [id, result] : results_)
        result->timeout.cancel();
}

void scaleout_node::start() {
    // RB-014: all, internal:groups, internal:ack:{S}, internal:return:{S}, in that order.
    bus_.subscribe(channels_.all(), [this](std::string_view payload) { on_invocation(kinds::all, {}, payload); });
    bus_.subscribe(channels_.group_commands(), [this](std::string_view payload) { on_group_command(payload); });
    bus_.subscribe(channels_.acks(settings_.server_name), [this](std::string_view payload) { on_ack(payload); });
    bus_.subscribe(channels_.results(settings_.server_name), [this](std::string_view payload) { on_result(payload); });
}

// ---- local membership --------------------------------------------------------------

void scaleout_node::connected(const std::string& connection_id, const std::string* first_of_user) {
    const std::string channel = channels_.connection(connection_id);
    bus_.subscribe(channel,
                   [this, connection_id](std::string_view payload) { on_connection_message(connection_id, payload); });
    if (first_of_user) {
        const std::string user = *first_of_user;
        const std::string user_channel = channels_.user(user);
        bus_.subscribe(user_channel,
                       [this, user](std::string_view payload) { on_invocation(kinds::user, user, payload); });
    }
}

void scaleout_node::disconnected(const std::string& connection_id, const std::string* last_of_user) {
    bus_.unsubscribe(channels_.connection(connection_id));
    if (last_of_user) bus_.unsubscribe(channels_.user(*last_of_user));
}

void scaleout_node::group_gained(const std::string& group, std::function<void()> done) {
    const std::string channel = channels_.group(group);
    bus_.subscribe(
        channel, [this, group](std::string_view payload) { on_invocation(kinds::group, group, payload); },
        std::move(done));
}

void scaleout_node::group_lost(const std::string& group) {
    bus_.unsubscribe(channels_.group(group));
}

// ---- sending -------------------------------------------------------------------------

bp::invocation scaleout_node::serialize(const p::hub_message& message) const {
    bp::invocation payload;
    for (const auto& name : settings_.protocols) {
        if (const p::hub_protocol* protocol = p::find_protocol(name))
            payload.messages.push_back({name, protocol->encode(message)}); // RB-042, RB-044
    }
    return payload;
}

void scaleout_node::publish_or_deliver(std::string channel, std::string payload,
                                       std::function<void(const bp::invocation&)> locally) {
    bus_.publish(std::move(channel), payload, [payload, locally = std::move(locally)](publish_outcome outcome) {
        if (outcome.how != publish_outcome::state::not_sent || !locally) return;
        // RB-075: never sent, so the local clients get it here and only here.
        if (auto decoded = bp::decode_invocation(payload)) locally(*decoded);
    });
}

void scaleout_node::publish(kinds kind, const std::string& name, std::vector<std::string> excluded_ids,
                            const p::hub_message& message) {
    bp::invocation payload = serialize(message);
    payload.excluded_ids = std::move(excluded_ids); // RB-037
    std::string channel;
    switch (kind) {
    case kinds::all:
    case kinds::all_except: channel = channels_.all(); break;
    case kinds::group:
    case kinds::group_except: channel = channels_.group(name); break;
    case kinds::user: channel = channels_.user(name); break;
    case kinds::connection: channel = channels_.connection(name); break;
    }
    auto deliver = [this, kind, name](const bp::invocation& back) { local_.deliver(kind, name, back); };
    publish_or_deliver(std::move(channel), bp::encode(payload), std::move(deliver));
}

void scaleout_node::change_remote_group(bp::group_action action, const std::string& connection_id,
                                        const std::string& group, group_change_done done) {
    const auto id = static_cast<std::int32_t>(++next_command_id_); // RB-054
    auto pending = std::make_shared<pending_ack>();
    pending->done = std::move(done);
    const auto timeout = settings_.ack_timeout;
    pending->timeout = local_.timers().after(timeout, [this, id, timeout, connection_id] {
        auto it = acks_.find(id);
        if (it == acks_.end()) return;
        auto expired = std::move(it->second);
        acks_.erase(it);
        log_event("RB-060", connection_id,
                  "no node acknowledged group command " + std::to_string(id) + " within " +
                      std::to_string(timeout.count()) + " ms: the connection is on no node");
        if (expired->done)
            expired->done("Timed out waiting for a group command ack (RB-059): connection '" + connection_id +
                          "' is on no node");
    });
    acks_.emplace(id, pending);
    const bp::group_command command{id, settings_.server_name, static_cast<std::uint8_t>(action), group, connection_id};
    bus_.publish(channels_.group_commands(), bp::encode(command), [this, id](publish_outcome outcome) { // RB-053
        if (outcome.how != publish_outcome::state::not_sent) return; // sent, or maybe: the ack decides
        auto it = acks_.find(id);
        if (it == acks_.end()) return;
        auto unsent = std::move(it->second);
        acks_.erase(it);
        unsent->timeout.cancel();
        if (unsent->done) unsent->done("The group command could not be sent: Redis is unreachable (RB-074).");
    });
}

void scaleout_node::invoke_remote(const std::string& connection_id, std::string_view method, value_list arguments,
                                  std::function<void(client_result)> on_result) {
    const std::string id = bp::make_invocation_id(random_bytes()); // RB-062
    const p::hub_message request = p::invocation_message{{}, id, std::string(method), std::move(arguments), {}};
    bp::invocation payload = serialize(request);
    payload.invocation_id = id;
    payload.return_channel = channels_.results_unprefixed(settings_.server_name); // RB-039

    auto pending = std::make_shared<pending_result>();
    pending->on_result = std::move(on_result);
    const auto timeout = settings_.client_result_timeout;
    pending->timeout = local_.timers().after(timeout, [this, id, connection_id, timeout] {
        auto it = results_.find(id);
        if (it == results_.end()) return;
        auto expired = std::move(it->second);
        results_.erase(it);
        expired->on_result({std::nullopt, "Connection '" + connection_id + "' did not answer within " +
                                              std::to_string(timeout.count()) + " ms (RB-070)."});
    });
    results_.emplace(id, pending);
    bus_.publish(channels_.connection(connection_id), bp::encode(payload),
                 [this, id, connection_id](publish_outcome outcome) {
                     if (outcome.how == publish_outcome::state::published && outcome.receivers > 0) return;
                     auto it = results_.find(id);
                     if (it == results_.end()) return;
                     auto failed = std::move(it->second);
                     results_.erase(it);
                     failed->timeout.cancel();
                     // RB-063: no node holds the connection's channel (or Redis is down).
                     failed->on_result({std::nullopt, "Connection '" + connection_id + "' does not exist."});
                 });
}

// ---- receiving -------------------------------------------------------------------------

void scaleout_node::on_invocation(kinds kind, const std::string& name, std::string_view payload) {
    auto decoded = bp::decode_invocation(payload);
    if (!decoded) {
        log_event(decoded.error().requirement, channels_.hub_key(),
                  "dropped a backplane message (RB-028): " + decoded.error().to_string());
        return;
    }
    local_.deliver(kind, name, *decoded); // RB-025, RB-026, RB-041: items 3-4 ignored here
}

void scaleout_node::on_connection_message(const std::string& connection_id, std::string_view payload) {
    auto decoded = bp::decode_invocation(payload);
    if (!decoded) {
        log_event(decoded.error().requirement, connection_id,
                  "dropped a backplane message (RB-028): " + decoded.error().to_string());
        return;
    }
    if (!decoded->invocation_id) {
        local_.deliver(kinds::connection, connection_id, *decoded);
        return;
    }
    // RB-064: a client-result request; the answer goes back on the asker's return channel.
    auto connection = local_.find(connection_id);
    if (!connection || connection->protocol() == nullptr) return;
    const std::string protocol_name(connection->protocol()->name());
    const std::string* bytes = decoded->message_for(protocol_name);
    if (bytes == nullptr) {
        local_.deliver(kinds::connection, connection_id, *decoded); // closes it, as RB-048 says
        return;
    }
    const std::string return_channel = settings_.channel_prefix + *decoded->return_channel;
    const std::string invocation_id = *decoded->invocation_id;
    connection->relay_client_result(
        std::make_shared<const std::string>(*bytes), invocation_id,
        [this, return_channel, protocol_name, invocation_id](std::optional<p::completion_message> answer) {
            // RB-066: the connection ended first.
            answer_remote(return_channel, protocol_name,
                          answer ? std::move(*answer)
                                 : p::completion_message::with_error(invocation_id, "Connection disconnected."));
        });
}

void scaleout_node::answer_remote(const std::string& return_channel, const std::string& protocol_name,
                                  const p::completion_message& completion) {
    const p::hub_protocol* protocol = p::find_protocol(protocol_name);
    if (protocol == nullptr) return;
    bus_.publish(return_channel, bp::encode(bp::completion{protocol_name, protocol->encode(completion)})); // RB-065
}

void scaleout_node::on_group_command(std::string_view payload) {
    auto command = bp::decode_group_command(payload);
    if (!command) {
        log_event(command.error().requirement, channels_.hub_key(),
                  "dropped a group command (RB-061): " + command.error().to_string());
        return;
    }
    if (!local_.find(command->connection_id)) return;                     // RB-055: another node's connection
    const std::string ack_channel = channels_.acks(command->server_name); // RB-013
    const std::int32_t id = command->id;
    auto send_ack = [this, ack_channel, id](std::optional<std::string>) {
        bus_.publish(ack_channel, bp::encode(bp::ack{id})); // RB-056
    };
    switch (static_cast<bp::group_action>(command->action)) {
    case bp::group_action::add: local_.add_to_group(command->connection_id, command->group, send_ack); break;
    case bp::group_action::remove: local_.remove_from_group(command->connection_id, command->group, send_ack); break;
    default:
        send_ack(std::nullopt); // RB-057: acked, not acted on
        break;
    }
}

void scaleout_node::on_ack(std::string_view payload) {
    auto ack = bp::decode_ack(payload);
    if (!ack) {
        log_event(ack.error().requirement, channels_.hub_key(), "dropped an ack: " + ack.error().to_string());
        return;
    }
    auto it = acks_.find(ack->id);
    if (it == acks_.end()) return; // RB-058: not ours, or timed out already
    auto done = std::move(it->second);
    acks_.erase(it);
    done->timeout.cancel();
    if (done->done) done->done(std::nullopt);
}

void scaleout_node::on_result(std::string_view payload) {
    auto answer = bp::decode_completion(payload);
    if (!answer) {
        log_event(answer.error().requirement, channels_.hub_key(),
                  "dropped a client result: " + answer.error().to_string());
        return;
    }
    const p::hub_protocol* protocol = p::find_protocol(answer->protocol);
    if (protocol == nullptr) {
        // RB-068: .NET's words; the call stays pending (here until its timeout).
        log_event("RB-068", channels_.hub_key(),
                  "Received a client result for protocol " + answer->protocol +
                      " which is not supported by this server. This likely means you have different versions "
                      "of your server deployed.");
        return;
    }
    auto record = protocol->next_record(answer->bytes);
    auto message = record ? protocol->parse(record->body) : p::result<p::hub_message>(record.error());
    const auto* completion = message ? std::get_if<p::completion_message>(&*message) : nullptr;
    if (completion == nullptr) {
        log_event("RB-065", channels_.hub_key(),
                  "a client result that is not a framed Completion: " +
                      (message ? std::string("another message type") : message.error().to_string()));
        return;
    }
    auto it = results_.find(completion->invocation_id); // RB-067: by id alone
    if (it == results_.end()) return;
    auto pending = std::move(it->second);
    results_.erase(it);
    pending->timeout.cancel();
    client_result result;
    if (completion->error) {
        result.error = completion->error;
    } else {
        result.result = completion->result ? *completion->result : value();
    }
    guarded("client result callback", [&] { pending->on_result(std::move(result)); });
}

} // namespace hubspec::server::detail
