// ASP.NET Core's Redis backplane payloads (redis-backplane.md §6-§10), on the
// core's MessagePack reader and writer.

#include "hubspec/protocol/backplane.hpp"

#include "hubspec/protocol/base64.hpp"

#include "detail/messagepack_reader.hpp"
#include "detail/messagepack_writer.hpp"

#include <limits>
#include <span>
#include <utility>

namespace hubspec::protocol::backplane {

using detail::messagepack_head;
using detail::messagepack_reader;
using detail::messagepack_writer;

// ---------------------------------------------------------------- channels

channel_names::channel_names(std::string prefix, std::string hub_key)
    : prefix_(std::move(prefix)), hub_key_(std::move(hub_key)), base_(prefix_ + hub_key_ + ":") {}

std::string channel_names::all() const {
    return base_ + "all";
}
std::string channel_names::group_commands() const {
    return base_ + "internal:groups";
}
std::string channel_names::acks(std::string_view server_name) const {
    return base_ + "internal:ack:" + std::string(server_name);
}
std::string channel_names::results(std::string_view server_name) const {
    return prefix_ + results_unprefixed(server_name);
}
std::string channel_names::results_unprefixed(std::string_view server_name) const {
    return hub_key_ + ":internal:return:" + std::string(server_name);
}
std::string channel_names::connection(std::string_view connection_id) const {
    return base_ + "connection:" + std::string(connection_id);
}
std::string channel_names::group(std::string_view group) const {
    return base_ + "group:" + std::string(group);
}
std::string channel_names::user(std::string_view user_id) const {
    return base_ + "user:" + std::string(user_id);
}

std::optional<parsed_channel> parse_channel(std::string_view channel, std::string_view prefix) {
    if (!channel.starts_with(prefix)) return std::nullopt;
    channel.remove_prefix(prefix.size());
    const auto colon = channel.find(':');
    if (colon == 0 || colon == std::string_view::npos) return std::nullopt;
    parsed_channel out;
    out.hub_key = channel.substr(0, colon);
    const std::string_view rest = channel.substr(colon + 1);
    struct suffix {
        std::string_view text;
        channel_kind kind;
    };
    static constexpr suffix suffixes[] = {
        {"internal:ack:", channel_kind::ack},
        {"internal:return:", channel_kind::results},
        {"connection:", channel_kind::connection},
        {"group:", channel_kind::group},
        {"user:", channel_kind::user},
    };
    if (rest == "all") {
        out.kind = channel_kind::all;
        return out;
    }
    if (rest == "internal:groups") {
        out.kind = channel_kind::group_commands;
        return out;
    }
    for (const auto& s : suffixes) {
        // .NET allows an empty group or user name; server names and connection ids are never empty.
        const bool may_be_empty = s.kind == channel_kind::group || s.kind == channel_kind::user;
        if (rest.starts_with(s.text) && (rest.size() > s.text.size() || may_be_empty)) {
            out.kind = s.kind;
            out.name = rest.substr(s.text.size());
            return out;
        }
    }
    return std::nullopt;
}

std::string_view kind_name(channel_kind kind) noexcept {
    switch (kind) {
    case channel_kind::all: return "all";
    case channel_kind::group_commands: return "internal:groups";
    case channel_kind::ack: return "internal:ack";
    case channel_kind::results: return "internal:return";
    case channel_kind::connection: return "connection";
    case channel_kind::group: return "group";
    case channel_kind::user: return "user";
    }
    return "?";
}

// ---------------------------------------------------------------- payload types

const std::string* invocation::message_for(std::string_view protocol) const noexcept {
    for (const auto& m : messages) {
        if (m.protocol == protocol) return &m.bytes;
    }
    return nullptr;
}

bool invocation::excludes(std::string_view connection_id) const noexcept {
    for (const auto& id : excluded_ids) {
        if (id == connection_id) return true;
    }
    return false;
}

// ---------------------------------------------------------------- writing

namespace {

std::span<const std::uint8_t> as_bytes(std::string_view s) noexcept {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

} // namespace

std::string encode(const invocation& payload) {
    std::string out;
    messagepack_writer w(out);
    const bool request = payload.invocation_id.has_value();
    w.write_array_header(request ? 4 : 2);             // RB-036, RB-038
    w.write_array_header(payload.excluded_ids.size()); // always an array (RB-037)
    for (const auto& id : payload.excluded_ids)
        w.write_string(id);
    w.write_map_header(payload.messages.size());
    for (const auto& m : payload.messages) {
        w.write_string(m.protocol);
        w.write_binary(as_bytes(m.bytes)); // bin, never str (RB-033)
    }
    if (request) {
        w.write_string(*payload.invocation_id);
        w.write_string(payload.return_channel.value_or(std::string()));
    }
    return out;
}

std::string encode(const group_command& payload) {
    std::string out;
    messagepack_writer w(out);
    w.write_array_header(5);
    w.write_int(payload.id);
    w.write_string(payload.server_name);
    w.write_uint(payload.action);
    w.write_string(payload.group);
    w.write_string(payload.connection_id);
    return out;
}

std::string encode(const ack& payload) {
    std::string out;
    messagepack_writer w(out);
    w.write_array_header(1);
    w.write_int(payload.id);
    return out;
}

std::string encode(const completion& payload) {
    std::string out;
    messagepack_writer w(out);
    w.write_array_header(2);
    w.write_string(payload.protocol);
    w.write_binary(as_bytes(payload.bytes));
    return out;
}

// ---------------------------------------------------------------- reading

namespace {

protocol_error off_layout(std::string message, std::size_t offset, std::string_view requirement) {
    return make_protocol_error(error::invalid_backplane_payload, std::move(message), offset, requirement);
}

std::string_view kind_word(value_kind kind) noexcept {
    switch (kind) {
    case value_kind::null: return "nil";
    case value_kind::boolean: return "a boolean";
    case value_kind::integer:
    case value_kind::unsigned_integer: return "an integer";
    case value_kind::floating: return "a float";
    case value_kind::string: return "a str";
    case value_kind::binary: return "a bin";
    case value_kind::array: return "an array";
    case value_kind::map: return "a map";
    case value_kind::extension: return "an ext";
    }
    return "?";
}

/// Reads one payload's array against its layout; `what` names it in errors as .NET does.
class payload_reader {
public:
    payload_reader(std::string_view payload, std::string_view what) : reader_(payload), what_(what) {}

    /// The outer array (RB-030) with at least `needed` items (RB-035); returns its item count.
    result<std::size_t> open(std::size_t needed) {
        auto head = reader_.read_head();
        if (!head) return head.error();
        if (head->kind != value_kind::array)
            return off_layout(std::string(what_) + " payload is " + std::string(kind_word(head->kind)) +
                                  ", not a MessagePack array",
                              head->offset, "RB-030");
        if (head->count < needed)
            return off_layout("Insufficient items in " + std::string(what_) + " array: " + std::to_string(head->count) +
                                  " items, at least " + std::to_string(needed) + " needed",
                              head->offset, "RB-035");
        count_ = head->count;
        return head->count;
    }

    result<std::string> text(std::string_view field, std::string_view requirement) {
        auto head = reader_.read_head();
        if (!head) return head.error();
        if (head->kind != value_kind::string) return wrong(*head, field, "a str", requirement);
        return std::string(head->bytes);
    }

    result<std::string> bytes(std::string_view field, std::string_view requirement) {
        auto head = reader_.read_head();
        if (!head) return head.error();
        if (head->kind != value_kind::binary) return wrong(*head, field, "a bin", requirement);
        return std::string(head->bytes);
    }

    result<std::int64_t> integer(std::string_view field, std::string_view requirement) {
        auto head = reader_.read_head();
        if (!head) return head.error();
        if (head->kind != value_kind::integer) return wrong(*head, field, "an integer", requirement);
        return head->integer;
    }

    result<std::int32_t> int32(std::string_view field, std::string_view requirement) {
        auto n = integer(field, requirement);
        if (!n) return n.error();
        if (*n < std::numeric_limits<std::int32_t>::min() || *n > std::numeric_limits<std::int32_t>::max())
            return off_layout(std::string(what_) + ": " + std::string(field) + " " + std::to_string(*n) +
                                  " is outside int32",
                              reader_.offset(), requirement);
        return static_cast<std::int32_t>(*n);
    }

    result<std::size_t> container(value_kind kind, std::string_view field, std::string_view requirement) {
        auto head = reader_.read_head();
        if (!head) return head.error();
        if (head->kind != kind)
            return wrong(*head, field, kind == value_kind::array ? "an array" : "a map", requirement);
        return head->count;
    }

    /// Steps over the items past the layout (RB-035) and checks nothing follows the array (RB-030).
    result<void> close(std::size_t items_read) {
        for (std::size_t i = items_read; i < count_; ++i) {
            if (auto skipped = reader_.skip(); !skipped) return skipped.error();
        }
        if (!reader_.at_end())
            return off_layout(std::string(what_) + ": " + std::to_string(reader_.remaining()) +
                                  " bytes after the payload array",
                              reader_.offset(), "RB-030");
        return {};
    }

private:
    protocol_error wrong(const messagepack_head& head, std::string_view field, std::string_view wanted,
                         std::string_view requirement) const {
        return off_layout(std::string(what_) + ": " + std::string(field) + " is " + std::string(kind_word(head.kind)) +
                              ", not " + std::string(wanted),
                          head.offset, requirement);
    }

    messagepack_reader reader_;
    std::string_view what_;
    std::size_t count_ = 0;
};

} // namespace

result<invocation> decode_invocation(std::string_view payload) {
    payload_reader in(payload, "Invocation");
    auto count = in.open(2);
    if (!count) return count.error();
    invocation out;
    auto excluded = in.container(value_kind::array, "the excluded ids", "RB-037");
    if (!excluded) return excluded.error();
    for (std::size_t i = 0; i < *excluded; ++i) {
        auto id = in.text("an excluded id", "RB-037");
        if (!id) return id.error();
        out.excluded_ids.push_back(std::move(*id));
    }
    auto entries = in.container(value_kind::map, "the serialized messages", "RB-042");
    if (!entries) return entries.error();
    for (std::size_t i = 0; i < *entries; ++i) {
        auto protocol = in.text("a protocol name", "RB-042");
        if (!protocol) return protocol.error();
        auto bytes = in.bytes("the message for '" + *protocol + "'", "RB-033");
        if (!bytes) return bytes.error();
        out.messages.push_back({std::move(*protocol), std::move(*bytes)});
    }
    std::size_t read = 2;
    if (*count > 3) { // RB-040: .NET's rule, a 3-item array is an ordinary send
        auto id = in.text("the invocation id", "RB-038");
        if (!id) return id.error();
        auto channel = in.text("the return channel", "RB-039");
        if (!channel) return channel.error();
        out.invocation_id = std::move(*id);
        out.return_channel = std::move(*channel);
        read = 4;
    }
    if (auto closed = in.close(read); !closed) return closed.error();
    return out;
}

result<group_command> decode_group_command(std::string_view payload) {
    payload_reader in(payload, "GroupCommand");
    if (auto count = in.open(5); !count) return count.error();
    group_command out;
    auto id = in.int32("the id", "RB-054");
    if (!id) return id.error();
    auto server = in.text("the server name", "RB-053");
    if (!server) return server.error();
    auto action = in.integer("the action", "RB-053");
    if (!action) return action.error();
    if (*action < 0 || *action > 255)
        return off_layout("GroupCommand: the action " + std::to_string(*action) + " is outside uint8", 0, "RB-053");
    auto group = in.text("the group name", "RB-053");
    if (!group) return group.error();
    auto connection = in.text("the connection id", "RB-053");
    if (!connection) return connection.error();
    if (auto closed = in.close(5); !closed) return closed.error();
    out.id = *id;
    out.server_name = std::move(*server);
    out.action = static_cast<std::uint8_t>(*action);
    out.group = std::move(*group);
    out.connection_id = std::move(*connection);
    return out;
}

result<ack> decode_ack(std::string_view payload) {
    payload_reader in(payload, "Ack");
    if (auto count = in.open(1); !count) return count.error();
    auto id = in.int32("the id", "RB-056");
    if (!id) return id.error();
    if (auto closed = in.close(1); !closed) return closed.error();
    return ack{*id};
}

result<completion> decode_completion(std::string_view payload) {
    payload_reader in(payload, "CompletionMessage");
    if (auto count = in.open(2); !count) return count.error();
    auto protocol = in.text("the protocol name", "RB-065");
    if (!protocol) return protocol.error();
    auto bytes = in.bytes("the completion", "RB-065");
    if (!bytes) return bytes.error();
    if (auto closed = in.close(2); !closed) return closed.error();
    return completion{std::move(*protocol), std::move(*bytes)};
}

// ---------------------------------------------------------------- identities

std::string make_server_name(std::string_view host, const std::array<std::uint8_t, 16>& random) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(host);
    out.push_back('_');
    for (const std::uint8_t b : random) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0x0F]);
    }
    return out;
}

std::string make_invocation_id(const std::array<std::uint8_t, 16>& random) {
    std::string out;
    append_base64(out, random.data(), random.size(), base64_alphabet::standard, base64_padding::unpadded);
    return out;
}

std::optional<redis_location> parse_redis_url(std::string_view url) {
    if (url.starts_with("redis://")) url.remove_prefix(8);
    redis_location out;
    if (const auto at = url.rfind('@'); at != std::string_view::npos) {
        const std::string_view credentials = url.substr(0, at);
        const auto colon = credentials.find(':');
        if (colon != std::string_view::npos) out.user = std::string(credentials.substr(0, colon));
        out.password = std::string(colon == std::string_view::npos ? credentials : credentials.substr(colon + 1));
        url.remove_prefix(at + 1);
    }
    url = url.substr(0, url.find('/'));
    const auto colon = url.rfind(':');
    out.host = std::string(url.substr(0, colon));
    if (colon != std::string_view::npos) {
        const std::string_view digits = url.substr(colon + 1);
        unsigned port = 0;
        if (digits.empty() || digits.size() > 5) return std::nullopt;
        for (const char c : digits) {
            if (c < '0' || c > '9') return std::nullopt;
            port = port * 10 + static_cast<unsigned>(c - '0');
        }
        if (port == 0 || port > 65535) return std::nullopt;
        out.port = static_cast<std::uint16_t>(port);
    }
    if (out.host.empty()) return std::nullopt;
    return out;
}

} // namespace hubspec::protocol::backplane
