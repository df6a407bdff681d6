// The MessagePack hub protocol (HS-002 name "messagepack"): VarInt-framed records
// (FRAME-005) whose body is one MessagePack array, type code first (MSG-009).
//
// Writers produce exactly what .NET's MessagePackHubProtocolWorker writes: the
// header map always (0x80 when empty, MSG-008), six items for (Stream)Invocation
// (MSG-013), three for Close (MSG-071). Readers accept every form Microsoft's
// peers send: five-item invocations, two-item Close, any integer width, extra
// trailing items (MSG-009). Where .NET rejects a null or empty string (target,
// ids, header keys and values, stream ids) we reject it with .NET's own text.
//
// Stricter than .NET, on purpose (a conformance tool reports what a lenient peer
// would let pass): a str that is not UTF-8 and bytes after the message array are
// errors, and an unknown type's remaining items must still be well-formed.

#include "hubspec/protocol/framing.hpp"
#include "hubspec/protocol/hub_protocol.hpp"
#include "hubspec/protocol/texts.hpp"

#include "detail/messagepack_reader.hpp"
#include "detail/messagepack_writer.hpp"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace hubspec::protocol {

namespace {

using detail::messagepack_head;
using detail::messagepack_reader;
using detail::messagepack_writer;

constexpr std::int64_t error_result = 1;
constexpr std::int64_t void_result = 2;
constexpr std::int64_t non_void_result = 3;

// ---------------------------------------------------------------- writing

void write_headers(messagepack_writer& w, const header_map& headers) {
    w.write_map_header(headers.size());
    for (const auto& [key, item] : headers) {
        w.write_string(key);
        w.write_string(item);
    }
}

void write_values(messagepack_writer& w, const std::vector<value>& values) {
    w.write_array_header(values.size());
    for (const value& v : values)
        w.write_value(v);
}

void write_strings(messagepack_writer& w, const std::vector<std::string>& strings) {
    w.write_array_header(strings.size());
    for (const std::string& s : strings)
        w.write_string(s);
}

void write_message(messagepack_writer& w, const invocation_message& m) {
    w.write_array_header(6);
    w.write_int(static_cast<std::int64_t>(message_type::invocation));
    write_headers(w, m.headers);
    // An empty id means non-blocking, so .NET writes it as nil (MSG-014).
    if (m.invocation_id && !m.invocation_id->empty()) {
        w.write_string(*m.invocation_id);
    } else {
        w.write_nil();
    }
    w.write_string(m.target);
    write_values(w, m.arguments);
    write_strings(w, m.stream_ids);
}

void write_message(messagepack_writer& w, const stream_invocation_message& m) {
    w.write_array_header(6);
    w.write_int(static_cast<std::int64_t>(message_type::stream_invocation));
    write_headers(w, m.headers);
    w.write_string(m.invocation_id);
    w.write_string(m.target);
    write_values(w, m.arguments);
    write_strings(w, m.stream_ids);
}

void write_message(messagepack_writer& w, const stream_item_message& m) {
    w.write_array_header(4);
    w.write_int(static_cast<std::int64_t>(message_type::stream_item));
    write_headers(w, m.headers);
    w.write_string(m.invocation_id);
    w.write_value(m.item);
}

void write_message(messagepack_writer& w, const completion_message& m) {
    // An error wins over a result, as in .NET's writer (MSG-043).
    const std::int64_t kind = m.error ? error_result : m.result ? non_void_result : void_result;
    w.write_array_header(kind == void_result ? 4 : 5);
    w.write_int(static_cast<std::int64_t>(message_type::completion));
    write_headers(w, m.headers);
    w.write_string(m.invocation_id);
    w.write_int(kind);
    if (kind == error_result) w.write_string(*m.error);
    if (kind == non_void_result) w.write_value(*m.result);
}

void write_message(messagepack_writer& w, const cancel_invocation_message& m) {
    w.write_array_header(3);
    w.write_int(static_cast<std::int64_t>(message_type::cancel_invocation));
    write_headers(w, m.headers);
    w.write_string(m.invocation_id);
}

void write_message(messagepack_writer& w, const ping_message&) {
    w.write_array_header(1);
    w.write_int(static_cast<std::int64_t>(message_type::ping));
}

void write_message(messagepack_writer& w, const close_message& m) {
    w.write_array_header(3);
    w.write_int(static_cast<std::int64_t>(message_type::close));
    // .NET writes nil for an empty error too (MSG-071).
    if (m.error && !m.error->empty()) {
        w.write_string(*m.error);
    } else {
        w.write_nil();
    }
    w.write_bool(m.allow_reconnect);
}

void write_message(messagepack_writer& w, const ack_message& m) {
    w.write_array_header(2);
    w.write_int(static_cast<std::int64_t>(message_type::ack));
    w.write_int(m.sequence_id);
}

void write_message(messagepack_writer& w, const sequence_message& m) {
    w.write_array_header(2);
    w.write_int(static_cast<std::int64_t>(message_type::sequence));
    w.write_int(m.sequence_id);
}

void write_message(messagepack_writer& w, const unknown_message& m) {
    w.write_array_header(1);
    w.write_int(m.type);
}

// ---------------------------------------------------------------- reading

/// The items of one message array, read in order against the layout of its type.
class message_items {
public:
    message_items(messagepack_reader& reader, std::size_t count, std::string_view type,
                  std::string_view requirement) noexcept
        : reader_(&reader), count_(count), type_(type), requirement_(requirement) {}

    std::size_t count() const noexcept { return count_; }

    result<void> require(std::size_t needed, std::string_view layout) const {
        if (count_ >= needed) return {};
        return make_protocol_error(error::too_few_items,
                                   std::string(type_) + ": the message array has " + std::to_string(count_) +
                                       " items, " + std::string(layout) + " needs at least " + std::to_string(needed),
                                   0, requirement_);
    }

    result<messagepack_head> next_head() {
        ++read_;
        return reader_->read_head();
    }

    result<value> next_value() {
        ++read_;
        return reader_->read_value();
    }

    /// A string or nil; an empty string is returned as "".
    result<std::optional<std::string>> next_nullable_string(std::string_view field) {
        auto head = next_head();
        if (!head) return head.error();
        if (head->kind == value_kind::null) return std::optional<std::string>{};
        if (head->kind != value_kind::string) return wrong_type(*head, field, "a string or nil");
        return std::optional<std::string>{std::string(head->bytes)};
    }

    /// A non-empty string: nil or "" is .NET's "Null or empty ..." error.
    result<std::string> next_required_string(std::string_view field, std::string_view null_or_empty) {
        auto head = next_head();
        if (!head) return head.error();
        if (head->kind != value_kind::string && head->kind != value_kind::null) {
            return wrong_type(*head, field, "a string");
        }
        if (head->bytes.empty()) return missing(null_or_empty, head->offset, requirement_);
        return std::string(head->bytes);
    }

    result<bool> next_bool(std::string_view field) {
        auto head = next_head();
        if (!head) return head.error();
        if (head->kind != value_kind::boolean) return wrong_type(*head, field, "a boolean");
        return head->boolean;
    }

    result<std::int64_t> next_int64(std::string_view field) {
        auto head = next_head();
        if (!head) return head.error();
        if (head->kind != value_kind::integer) return wrong_type(*head, field, "an int64 integer");
        return head->integer;
    }

    /// The header map right after the type code: str -> str, both non-empty (MSG-007).
    result<header_map> next_headers() {
        auto head = next_head();
        if (!head) return head.error();
        if (head->kind != value_kind::map) return wrong_type(*head, "headers", "a map", "MSG-007");
        header_map headers;
        for (std::size_t i = 0; i < head->count; ++i) {
            const std::string index = std::to_string(i);
            auto key = header_string("headers[" + index + "].Key", "Null or empty key in header.");
            if (!key) return key.error();
            auto item = header_string("headers[" + index + "].Value", "Null or empty value in header.");
            if (!item) return item.error();
            headers.emplace_back(std::move(*key), std::move(*item));
        }
        return headers;
    }

    result<std::vector<value>> next_arguments() {
        auto head = next_head();
        if (!head) return head.error();
        if (head->kind != value_kind::array) return wrong_type(*head, "arguments", "an array");
        std::vector<value> arguments;
        for (std::size_t i = 0; i < head->count; ++i) {
            auto argument = reader_->read_value();
            if (!argument) return argument.error();
            arguments.push_back(std::move(*argument));
        }
        return arguments;
    }

    result<std::vector<std::string>> next_stream_ids() {
        auto head = next_head();
        if (!head) return head.error();
        if (head->kind != value_kind::array) return wrong_type(*head, "streamIds", "an array");
        std::vector<std::string> ids;
        for (std::size_t i = 0; i < head->count; ++i) {
            auto id = reader_->read_head();
            if (!id) return id.error();
            if (id->kind != value_kind::string && id->kind != value_kind::null) {
                return wrong_type(*id, "streamIds[" + std::to_string(i) + "]", "a string");
            }
            if (id->bytes.empty()) {
                return missing("Null or empty value in streamIds received.", id->offset, requirement_);
            }
            ids.emplace_back(id->bytes);
        }
        return ids;
    }

    /// Steps over the items this side does not read (MSG-009), then insists that
    /// the array ends the body: the VarInt counts the message, nothing else (FRAME-005).
    result<void> finish() {
        for (; read_ < count_; ++read_) {
            if (auto r = reader_->skip(); !r) return r;
        }
        if (!reader_->at_end()) {
            return make_protocol_error(error::invalid_messagepack,
                                       std::string(type_) + ": " + std::to_string(reader_->remaining()) +
                                           " bytes follow the message array",
                                       reader_->offset(), "FRAME-005");
        }
        return {};
    }

    protocol_error wrong_type(const messagepack_head& head, std::string_view field, std::string_view expected,
                              std::string_view requirement = {}) const {
        return make_protocol_error(error::wrong_property_type,
                                   std::string(type_) + ": '" + std::string(field) + "' must be " +
                                       std::string(expected) + ", found " + std::string(kind_name(head.kind)),
                                   head.offset, requirement.empty() ? requirement_ : requirement);
    }

private:
    static protocol_error missing(std::string_view text, std::size_t offset, std::string_view requirement) {
        return make_protocol_error(error::missing_property, std::string(text), offset, requirement);
    }

    result<std::string> header_string(const std::string& field, std::string_view null_or_empty) {
        auto head = reader_->read_head();
        if (!head) return head.error();
        if (head->kind != value_kind::string && head->kind != value_kind::null) {
            return wrong_type(*head, field, "a string", "MSG-007");
        }
        if (head->bytes.empty()) return missing(null_or_empty, head->offset, "MSG-007");
        return std::string(head->bytes);
    }

    messagepack_reader* reader_;
    std::size_t count_;
    std::size_t read_ = 1; // the type code
    std::string_view type_;
    std::string_view requirement_;
};

// Each reader takes the items after the type code; require() has checked nothing yet.

result<hub_message> read_invocation(message_items& items) {
    if (auto r = items.require(5, "an Invocation"); !r) return r.error();
    invocation_message m;
    auto headers = items.next_headers();
    if (!headers) return headers.error();
    m.headers = std::move(*headers);
    auto id = items.next_nullable_string("invocationId");
    if (!id) return id.error();
    // Empty means non-blocking, as nil does (MSG-014).
    if (*id && !(*id)->empty()) m.invocation_id = std::move(*id);
    auto target = items.next_required_string("target", "Null or empty target for Invocation message.");
    if (!target) return target.error();
    m.target = std::move(*target);
    auto arguments = items.next_arguments();
    if (!arguments) return arguments.error();
    m.arguments = std::move(*arguments);
    // The TS client leaves streamIds out when it has none (MSG-013).
    if (items.count() > 5) {
        auto ids = items.next_stream_ids();
        if (!ids) return ids.error();
        m.stream_ids = std::move(*ids);
    }
    return hub_message{std::move(m)};
}

result<hub_message> read_stream_invocation(message_items& items) {
    if (auto r = items.require(5, "a StreamInvocation"); !r) return r.error();
    stream_invocation_message m;
    auto headers = items.next_headers();
    if (!headers) return headers.error();
    m.headers = std::move(*headers);
    auto id = items.next_required_string("invocationId", "Null or empty invocation ID for StreamInvocation message.");
    if (!id) return id.error();
    m.invocation_id = std::move(*id);
    auto target = items.next_required_string("target", "Null or empty target for StreamInvocation message.");
    if (!target) return target.error();
    m.target = std::move(*target);
    auto arguments = items.next_arguments();
    if (!arguments) return arguments.error();
    m.arguments = std::move(*arguments);
    if (items.count() > 5) {
        auto ids = items.next_stream_ids();
        if (!ids) return ids.error();
        m.stream_ids = std::move(*ids);
    }
    return hub_message{std::move(m)};
}

result<hub_message> read_stream_item(message_items& items) {
    if (auto r = items.require(4, "a StreamItem"); !r) return r.error();
    stream_item_message m;
    auto headers = items.next_headers();
    if (!headers) return headers.error();
    m.headers = std::move(*headers);
    auto id = items.next_required_string("invocationId", "Null or empty invocation ID for StreamItem message.");
    if (!id) return id.error();
    m.invocation_id = std::move(*id);
    auto item = items.next_value();
    if (!item) return item.error();
    m.item = std::move(*item);
    return hub_message{std::move(m)};
}

result<hub_message> read_completion(message_items& items) {
    if (auto r = items.require(4, "a Completion"); !r) return r.error();
    completion_message m;
    auto headers = items.next_headers();
    if (!headers) return headers.error();
    m.headers = std::move(*headers);
    auto id = items.next_required_string("invocationId", "Null or empty invocation ID for Completion message.");
    if (!id) return id.error();
    m.invocation_id = std::move(*id);

    auto kind = items.next_head();
    if (!kind) return kind.error();
    if (kind->kind != value_kind::integer && kind->kind != value_kind::unsigned_integer) {
        return items.wrong_type(*kind, "resultKind", "an integer");
    }
    const bool known =
        kind->kind == value_kind::integer &&
        (kind->integer == error_result || kind->integer == void_result || kind->integer == non_void_result);
    if (!known) {
        return make_protocol_error(error::invalid_result_kind, std::string(texts::invalid_result_kind), kind->offset,
                                   "MSG-043");
    }
    if (kind->integer == error_result) {
        if (auto r = items.require(5, "result kind 1 (error)"); !r) return r.error();
        auto text = items.next_head();
        if (!text) return text.error();
        if (text->kind != value_kind::string) return items.wrong_type(*text, "error", "a string");
        m.error = std::string(text->bytes);
    } else if (kind->integer == non_void_result) {
        if (auto r = items.require(5, "result kind 3 (non-void)"); !r) return r.error();
        auto result_value = items.next_value();
        if (!result_value) return result_value.error();
        m.result = std::move(*result_value);
    }
    return hub_message{std::move(m)};
}

result<hub_message> read_cancel_invocation(message_items& items) {
    if (auto r = items.require(3, "a CancelInvocation"); !r) return r.error();
    cancel_invocation_message m;
    auto headers = items.next_headers();
    if (!headers) return headers.error();
    m.headers = std::move(*headers);
    auto id = items.next_required_string("invocationId", "Null or empty invocation ID for CancelInvocation message.");
    if (!id) return id.error();
    m.invocation_id = std::move(*id);
    return hub_message{std::move(m)};
}

result<hub_message> read_close(message_items& items) {
    if (auto r = items.require(2, "a Close"); !r) return r.error();
    close_message m;
    // An empty error is still an error, as in .NET's reader.
    auto error_text = items.next_nullable_string("error");
    if (!error_text) return error_text.error();
    m.error = std::move(*error_text);
    // The TS client writes [7, error] without allowReconnect (MSG-071).
    if (items.count() > 2) {
        auto allow = items.next_bool("allowReconnect");
        if (!allow) return allow.error();
        m.allow_reconnect = *allow;
    }
    return hub_message{std::move(m)};
}

result<hub_message> read_ack(message_items& items) {
    if (auto r = items.require(2, "an Ack"); !r) return r.error();
    auto id = items.next_int64("sequenceId");
    if (!id) return id.error();
    return hub_message{ack_message{*id}};
}

result<hub_message> read_sequence(message_items& items) {
    if (auto r = items.require(2, "a Sequence"); !r) return r.error();
    auto id = items.next_int64("sequenceId");
    if (!id) return id.error();
    return hub_message{sequence_message{*id}};
}

struct message_layout {
    std::string_view name;
    std::string_view requirement;
    result<hub_message> (*read)(message_items&);
};

// Indexed by type code; requirement IDs name each type's MessagePack layout.
constexpr message_layout layouts[] = {
    {"Unknown", "MSG-004", nullptr},
    {"Invocation", "MSG-013", read_invocation},
    {"StreamItem", "MSG-032", read_stream_item},
    {"Completion", "MSG-043", read_completion},
    {"StreamInvocation", "MSG-021", read_stream_invocation},
    {"CancelInvocation", "MSG-050", read_cancel_invocation},
    {"Ping", "MSG-060", nullptr},
    {"Close", "MSG-071", read_close},
    {"Ack", "MSG-080", read_ack},
    {"Sequence", "MSG-081", read_sequence},
};

result<hub_message> parse_body(std::string_view body) {
    if (body.empty()) {
        return make_protocol_error(error::empty_record, "a MessagePack message body is empty", 0, "FRAME-012");
    }
    messagepack_reader reader(body);
    auto head = reader.read_head();
    if (!head) return head.error();
    if (head->kind != value_kind::array) {
        return make_protocol_error(error::not_an_array,
                                   "a message must be a MessagePack array, found " + std::string(kind_name(head->kind)),
                                   0, "MSG-009");
    }
    if (head->count == 0) {
        return make_protocol_error(error::too_few_items,
                                   "the message array is empty: its first item must be the type code", 0, "MSG-009");
    }
    auto type = reader.read_head();
    if (!type) return type.error();
    if (type->kind != value_kind::integer) {
        return make_protocol_error(error::missing_type,
                                   "the first item of a message must be its integer type code, found " +
                                       std::string(kind_name(type->kind)),
                                   type->offset, "MSG-009");
    }

    const std::int64_t code = type->integer;
    const bool known = code >= 1 && code <= 9;
    const message_layout& layout = layouts[known ? static_cast<std::size_t>(code) : 0];
    message_items items(reader, head->count, layout.name, layout.requirement);

    result<hub_message> message = hub_message{unknown_message{code}}; // skipped by receivers (MSG-004)
    if (code == static_cast<std::int64_t>(message_type::ping)) {
        message = hub_message{ping_message{}};
    } else if (known) {
        message = layout.read(items);
    }
    if (!message) return message;
    if (auto r = items.finish(); !r) return r.error();
    return message;
}

class messagepack_hub_protocol final : public hub_protocol {
public:
    std::string_view name() const noexcept override { return "messagepack"; }
    int version() const noexcept override { return 2; }
    transfer_format format() const noexcept override { return transfer_format::binary; }

    void write(const hub_message& message, std::string& out) const override {
        // The prefix needs the body's length: write the body in place behind a
        // one-byte prefix (most messages are under 128 bytes) and widen it after.
        const std::size_t start = out.size();
        out.push_back('\0');
        messagepack_writer w(out);
        std::visit([&w](const auto& m) { write_message(w, m); }, message);
        const auto body_size = static_cast<std::uint32_t>(out.size() - start - 1);
        std::string prefix;
        append_varint(prefix, body_size);
        out.replace(start, 1, prefix);
    }

    result<record_view> next_record(std::string_view input, std::size_t max_size) const override {
        return next_binary_record(input, max_size);
    }

    result<hub_message> parse(std::string_view body) const override { return parse_body(body); }
};

} // namespace

const hub_protocol& messagepack_protocol() noexcept {
    static const messagepack_hub_protocol instance;
    return instance;
}

} // namespace hubspec::protocol
