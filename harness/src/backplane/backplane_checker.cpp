#include "backplane_checker.hpp"

#include "hubspec/protocol/backplane.hpp"
#include "hubspec/protocol/hub_protocol.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace hubspec::harness::backplane {

namespace p = hubspec::protocol;
namespace bp = hubspec::protocol::backplane;

namespace {

std::string upper(std::string text) {
    for (char& c : text)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

/// RB-011: host, '_', 32 lower-case hex digits.
bool server_name_form(std::string_view name) {
    if (name.size() < 34 || name[name.size() - 33] != '_') return false;
    return std::all_of(name.end() - 32, name.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool base64_id(std::string_view id) {
    return id.size() == 22 && std::all_of(id.begin(), id.end(), [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
           });
}

/// What a serialized hub message is: a whole framed record of `protocol`, parsed; or why not.
struct embedded {
    std::optional<p::hub_message> message;
    std::string problem;
};

embedded parse_embedded(const p::hub_protocol& protocol, std::string_view bytes) {
    auto record = protocol.next_record(bytes);
    if (!record) return {std::nullopt, "not a framed record: " + record.error().to_string()};
    if (record->consumed != bytes.size())
        return {std::nullopt, std::to_string(bytes.size() - record->consumed) + " bytes after the first record"};
    auto message = protocol.parse(record->body);
    if (!message) return {std::nullopt, message.error().to_string()};
    return {std::move(*message), {}};
}

// Commands that write keys (RB-007): a backplane node sends none of them.
constexpr std::array<std::string_view, 16> key_writes = {"SET",    "SETEX",  "DEL",    "UNLINK", "HSET", "HMSET",
                                                         "LPUSH",  "RPUSH",  "SADD",   "ZADD",   "XADD", "INCR",
                                                         "INCRBY", "EXPIRE", "APPEND", "MSET"};

} // namespace

backplane_checker::backplane_checker(std::string prefix, std::string hub)
    : prefix_(std::move(prefix)), hub_(std::move(hub)) {}

void backplane_checker::report(std::string requirement, const std::string& channel, std::string text) {
    findings_.push_back({std::move(requirement), commands_, channel, std::move(text)});
}

void backplane_checker::feed(const monitor_command& command) {
    ++commands_;
    const std::string name = upper(command.argv.front());
    if (name == "SUBSCRIBE") {
        for (std::size_t i = 1; i < command.argv.size(); ++i)
            on_subscribe(command, command.argv[i]);
    } else if (name == "UNSUBSCRIBE") {
        for (std::size_t i = 1; i < command.argv.size(); ++i)
            on_unsubscribe(command, command.argv[i]);
    } else if (name == "PUBLISH" && command.argv.size() >= 3) {
        on_publish(command.argv[1], command.argv[2]);
    } else if ((name == "PSUBSCRIBE" || name == "SSUBSCRIBE" || name == "SPUBLISH") && command.argv.size() >= 2) {
        const std::string& channel = command.argv[1];
        if (auto parsed = bp::parse_channel(channel, prefix_); parsed && (hub_.empty() || parsed->hub_key == hub_))
            report("RB-006", channel,
                   name + " on a backplane channel: channels are literal, SUBSCRIBE and PUBLISH only");
    } else if (std::find(key_writes.begin(), key_writes.end(), name) != key_writes.end()) {
        const std::string key = command.argv.size() > 1 ? command.argv[1] : std::string();
        if (!key.starts_with("__Booksleeve")) report("RB-007", key, name + " writes a key: the backplane keeps none");
    }
}

void backplane_checker::on_subscribe(const monitor_command& command, const std::string& channel) {
    auto parsed = bp::parse_channel(channel, prefix_);
    if (!parsed || (!hub_.empty() && parsed->hub_key != hub_)) return; // RB-008: not ours
    // A SUBSCRIBE of a channel the connection holds changes nothing in Redis: StackExchange.Redis
    // sends its first ones twice when it connects under load (seen in CI).
    if (!held_by_client_[command.client].insert(channel).second) return;
    auto& order = subscriptions_by_client_[command.client + " " + std::string(parsed->hub_key)];
    order.push_back(channel);
    if (parsed->kind == bp::channel_kind::ack || parsed->kind == bp::channel_kind::results)
        check_server_name(channel, parsed->name, "RB-011");
    if (order.size() != 4 || bp::parse_channel(order.front(), prefix_)->kind != bp::channel_kind::all) return;
    // RB-014: all, internal:groups, internal:ack:{S}, internal:return:{S}, before anything else; checked
    // when a node starts, not when it subscribes again after a reconnect (in whatever order its client likes).
    const bp::channel_names names(prefix_, std::string(parsed->hub_key));
    std::string server;
    for (const auto& held : order)
        if (auto c = bp::parse_channel(held, prefix_); c && c->kind == bp::channel_kind::ack) server = c->name;
    if (!server.empty() && !servers_seen_.insert(server).second) return; // a reconnect
    if (order[1] != names.group_commands() || server.empty() || order[2] != names.acks(server) ||
        order[3] != names.results(server)) {
        report("RB-014", channel,
               "a node's first subscriptions are " + order[0] + ", " + order[1] + ", " + order[2] + ", " + order[3] +
                   "; .NET subscribes all, internal:groups, internal:ack:{S}, internal:return:{S}");
        return;
    }
    nodes_.emplace(command.client, std::string(parsed->hub_key));
}

void backplane_checker::on_unsubscribe(const monitor_command& command, const std::string& channel) {
    held_by_client_[command.client].erase(channel);
}

std::vector<std::string> backplane_checker::holders_of(const std::string& channel) const {
    std::vector<std::string> out;
    for (const auto& [client, held] : held_by_client_) {
        if (held.contains(channel)) out.push_back(client);
    }
    return out;
}

void backplane_checker::on_publish(const std::string& channel, const std::string& payload) {
    auto parsed = bp::parse_channel(channel, prefix_);
    if (!parsed) {
        if (!channel.starts_with("__Booksleeve"))
            report("RB-001", channel, "PUBLISH on a channel outside the backplane's scheme {P}{H}:kind");
        return;
    }
    if (!hub_.empty() && parsed->hub_key != hub_) return;
    ++published_[std::string(bp::kind_name(parsed->kind))];
    switch (parsed->kind) {
    case bp::channel_kind::all:
    case bp::channel_kind::group:
    case bp::channel_kind::user:
    case bp::channel_kind::connection:
        check_invocation(channel, bp::kind_name(parsed->kind), parsed->hub_key, payload);
        break;
    case bp::channel_kind::group_commands: check_group_command(channel, parsed->hub_key, payload); break;
    case bp::channel_kind::ack: check_ack(channel, parsed->hub_key, parsed->name, payload); break;
    case bp::channel_kind::results: check_completion(channel, payload); break;
    }
}

void backplane_checker::check_canonical(const std::string& channel, const std::string& payload,
                                        const std::string& again) {
    if (again == payload) return;
    report("RB-031", channel,
           "re-encoding the payload gives other bytes (" + std::to_string(again.size()) + " for " +
               std::to_string(payload.size()) +
               "): not the smallest MessagePack encodings .NET writes (RB-031..RB-033), or items past the layout");
}

void backplane_checker::check_server_name(const std::string& channel, std::string_view name,
                                          std::string_view requirement) {
    if (!server_name_form(name))
        report(std::string(requirement), channel,
               "server name '" + std::string(name) + "' is not host_ + 32 lower-case hex digits, .NET's form");
}

void backplane_checker::check_invocation(const std::string& channel, std::string_view kind, std::string_view hub_key,
                                         const std::string& payload) {
    auto decoded = bp::decode_invocation(payload);
    if (!decoded) {
        report(std::string(decoded.error().requirement), channel, decoded.error().to_string());
        return;
    }
    check_canonical(channel, payload, bp::encode(*decoded));
    if (decoded->messages.empty()) report("RB-045", channel, "no serialized message at all");
    const bool request = decoded->invocation_id.has_value();
    if (request && kind != "connection")
        report("RB-071", channel, "a client-result request (4 items) on a " + std::string(kind) + " channel");
    if (request) {
        if (!base64_id(*decoded->invocation_id))
            report("RB-062", channel, "invocation id '" + *decoded->invocation_id + "' is not 22 base64 characters");
        const std::string unprefixed = std::string(hub_key) + ":internal:return:";
        if (!decoded->return_channel->starts_with(unprefixed))
            report("RB-039", channel,
                   "return channel '" + *decoded->return_channel + "' is not " + unprefixed +
                       "{S} (without the prefix)");
        requests_pending_[*decoded->invocation_id] = prefix_ + *decoded->return_channel;
    }
    std::set<std::string> seen;
    for (const auto& m : decoded->messages) {
        if (!seen.insert(m.protocol).second)
            report("RB-050", channel, "protocol '" + m.protocol + "' appears twice; the first wins");
        const p::hub_protocol* protocol = p::find_protocol(m.protocol);
        if (protocol == nullptr) continue; // blazorpack and others: not ours to parse
        auto message = parse_embedded(*protocol, m.bytes);
        if (!message.message) {
            report("RB-042", channel,
                   "the " + m.protocol + " entry is not a complete framed hub message: " + message.problem);
            continue;
        }
        const auto* invocation = std::get_if<p::invocation_message>(&*message.message);
        if (invocation == nullptr) {
            report("RB-043", channel, "the " + m.protocol + " entry is not an Invocation");
            continue;
        }
        if (!request && invocation->invocation_id)
            report("RB-043", channel,
                   "the " + m.protocol + " entry carries invocationId '" + *invocation->invocation_id +
                       "' in an ordinary send: clients would answer it");
        if (request && invocation->invocation_id != decoded->invocation_id)
            report("RB-038", channel,
                   "the " + m.protocol + " entry's invocationId '" + invocation->invocation_id.value_or("") +
                       "' is not the request's '" + *decoded->invocation_id + "'");
    }
}

void backplane_checker::check_group_command(const std::string& channel, std::string_view hub_key,
                                            const std::string& payload) {
    auto command = bp::decode_group_command(payload);
    if (!command) {
        report(std::string(command.error().requirement), channel, command.error().to_string());
        return;
    }
    check_canonical(channel, payload, bp::encode(*command));
    check_server_name(channel, command->server_name, "RB-011");
    if (command->action != 1 && command->action != 2)
        report("RB-053", channel, "action " + std::to_string(command->action) + " is neither 1 (Add) nor 2 (Remove)");
    commands_pending_[{command->server_name, command->id}] = {command->action, command->group, command->connection_id,
                                                              std::string(hub_key), commands_};
}

void backplane_checker::check_ack(const std::string& channel, std::string_view hub_key, std::string_view server,
                                  const std::string& payload) {
    auto ack = bp::decode_ack(payload);
    if (!ack) {
        report(std::string(ack.error().requirement), channel, ack.error().to_string());
        return;
    }
    check_canonical(channel, payload, bp::encode(*ack));
    auto it = commands_pending_.find({std::string(server), ack->id});
    if (it == commands_pending_.end()) return; // before the watch began, or a repeat: RB-058 lets the origin ignore it
    const pending_command command = std::move(it->second);
    commands_pending_.erase(it);
    if (command.action != 1) return;
    // RB-018: the host acks an Add only once it holds the group's channel.
    const bp::channel_names names(prefix_, std::string(hub_key));
    // Any connection holding the connection's channel will do: MONITOR shows no disconnects, so a node
    // that reconnected still appears under its old address too.
    const auto hosts = holders_of(names.connection(command.connection_id));
    const bool subscribed = std::any_of(hosts.begin(), hosts.end(), [&](const std::string& host) {
        return held_by_client_[host].contains(names.group(command.group));
    });
    if (!hosts.empty() && !subscribed)
        report("RB-018", channel,
               "ack " + std::to_string(ack->id) + " for adding " + command.connection_id + " to '" + command.group +
                   "' came before its node subscribed " + names.group(command.group) +
                   ": a group send right after the add can miss the member");
}

void backplane_checker::check_completion(const std::string& channel, const std::string& payload) {
    auto answer = bp::decode_completion(payload);
    if (!answer) {
        report(std::string(answer.error().requirement), channel, answer.error().to_string());
        return;
    }
    check_canonical(channel, payload, bp::encode(*answer));
    const p::hub_protocol* protocol = p::find_protocol(answer->protocol);
    if (protocol == nullptr) {
        report("RB-068", channel, "a completion in protocol '" + answer->protocol + "', which no node here speaks");
        return;
    }
    auto message = parse_embedded(*protocol, answer->bytes);
    const auto* completion = message.message ? std::get_if<p::completion_message>(&*message.message) : nullptr;
    if (completion == nullptr) {
        report("RB-065", channel,
               "not a framed " + answer->protocol + " Completion" +
                   (message.problem.empty() ? std::string() : ": " + message.problem));
        return;
    }
    auto it = requests_pending_.find(completion->invocation_id);
    if (it == requests_pending_.end()) return; // asked before the watch began
    if (it->second != channel)
        report("RB-065", channel,
               "the answer to " + completion->invocation_id + " came here, but was asked for on " + it->second);
    requests_pending_.erase(it);
}

std::size_t backplane_checker::nodes() const {
    std::set<std::string> clients;
    for (const auto& [client, hub_key] : nodes_)
        clients.insert(client);
    return clients.size();
}

void backplane_checker::finish() {
    // RB-056: a node that hosts the connection acks; a command for a connection no node held is
    // left to time out (RB-059) and is not a finding.
    for (const auto& [key, command] : commands_pending_) {
        const bp::channel_names names(prefix_, command.hub_key);
        if (holders_of(names.connection(command.connection_id)).empty()) continue;
        findings_.push_back({"RB-056", command.command, names.group_commands(),
                             "group command " + std::to_string(key.second) + " from " + key.first + " (" +
                                 (command.action == 1 ? "add " : "remove ") + command.connection_id + " to '" +
                                 command.group + "') was never acknowledged, though a node holds that connection"});
    }
}

} // namespace hubspec::harness::backplane
