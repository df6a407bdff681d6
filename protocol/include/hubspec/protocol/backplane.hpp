#pragma once
// The wire of ASP.NET Core's Redis backplane (shared/spec/redis-backplane.md,
// Microsoft.AspNetCore.SignalR.StackExchangeRedis): the channel names and the
// MessagePack payloads nodes publish to each other. What a node encodes and
// what a checker decodes; the Redis connection itself is the server's.
//
// Writers produce the bytes .NET's RedisProtocol writes (smallest encodings,
// RB-031..033); readers accept every MessagePack width and extra trailing items,
// as .NET's reader does (RB-034, RB-035), and name the RB- requirement a
// payload breaks.

#include "hubspec/protocol/error.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hubspec::protocol::backplane {

/// The channels of one hub key under one node prefix (RB-001..RB-005): `{P}{H}:` + a suffix,
/// ids inserted verbatim.
class channel_names {
public:
    channel_names(std::string prefix, std::string hub_key);

    const std::string& prefix() const noexcept { return prefix_; }
    const std::string& hub_key() const noexcept { return hub_key_; }

    std::string all() const;
    std::string group_commands() const;
    std::string acks(std::string_view server_name) const;
    /// The return channel as this node subscribes to it (with the prefix).
    std::string results(std::string_view server_name) const;
    /// The return channel as it travels inside a client-result request: without the prefix (RB-039).
    std::string results_unprefixed(std::string_view server_name) const;
    std::string connection(std::string_view connection_id) const;
    std::string group(std::string_view group) const;
    std::string user(std::string_view user_id) const;

private:
    std::string prefix_;
    std::string hub_key_;
    std::string base_; // {P}{H}:
};

enum class channel_kind { all, group_commands, ack, results, connection, group, user };

/// A channel name taken apart: its kind, hub key, and the id or name after the kind's suffix.
struct parsed_channel {
    channel_kind kind = channel_kind::all;
    std::string_view hub_key;
    std::string_view name; // server name, connection id, group name or user id; empty for all/groups
};

/// What `channel` is under `prefix`, or nullopt for a channel outside the scheme (RB-008).
/// The hub key runs to the first ':' after the prefix: .NET type names hold none (RB-002).
std::optional<parsed_channel> parse_channel(std::string_view channel, std::string_view prefix = {});

std::string_view kind_name(channel_kind kind) noexcept;

/// One hub message serialized for one hub protocol, complete with its framing (RB-042).
struct serialized_message {
    std::string protocol; // "json", "messagepack", …
    std::string bytes;

    bool operator==(const serialized_message&) const = default;
};

/// The payload of the all, group, user and connection channels (RB-036..RB-041).
struct invocation {
    std::vector<std::string> excluded_ids;
    std::vector<serialized_message> messages;
    /// Both set only for a client-result request on a connection channel (RB-038).
    std::optional<std::string> invocation_id;
    std::optional<std::string> return_channel;

    /// The bytes for `protocol`: the first entry of that name wins (RB-047, RB-050); null when absent.
    const std::string* message_for(std::string_view protocol) const noexcept;
    bool excludes(std::string_view connection_id) const noexcept;
};

enum class group_action : std::uint8_t { add = 1, remove = 2 };

/// `[id, server_name, action, group, connection_id]` on internal:groups (RB-053).
struct group_command {
    std::int32_t id = 0;
    std::string server_name;
    std::uint8_t action = 0; // group_action; other codes are acked and ignored (RB-057)
    std::string group;
    std::string connection_id;
};

/// `[id]` on internal:ack:{S} (RB-056).
struct ack {
    std::int32_t id = 0;
};

/// `[protocol_name, completion]` on internal:return:{S} (RB-065): the client's framed Completion.
struct completion {
    std::string protocol;
    std::string bytes;
};

std::string encode(const invocation& payload);
std::string encode(const group_command& payload);
std::string encode(const ack& payload);
std::string encode(const completion& payload);

/// error::invalid_backplane_payload naming the RB- requirement broken; MessagePack that does
/// not parse is error::invalid_messagepack or error::truncated.
result<invocation> decode_invocation(std::string_view payload);
result<group_command> decode_group_command(std::string_view payload);
result<ack> decode_ack(std::string_view payload);
result<completion> decode_completion(std::string_view payload);

/// A server name of .NET's form (RB-011, RB-012): `host` + '_' + 32 lower-case hex digits of `random`.
std::string make_server_name(std::string_view host, const std::array<std::uint8_t, 16>& random);

/// A client-result invocation id of .NET's form (RB-062): 16 random bytes in standard base64, no padding.
std::string make_invocation_id(const std::array<std::uint8_t, 16>& random);

/// Where a backplane's Redis is and what its AUTH wants.
struct redis_location {
    std::string host;
    std::uint16_t port = 6379;
    std::string user;     // Redis 6 ACL user; empty: AUTH with the password alone
    std::string password; // empty: no AUTH
};

/// "redis://[[USER]:PASSWORD@]HOST[:PORT]" or "HOST[:PORT]" (port 6379 when absent); nullopt when it is neither.
std::optional<redis_location> parse_redis_url(std::string_view url);

} // namespace hubspec::protocol::backplane
