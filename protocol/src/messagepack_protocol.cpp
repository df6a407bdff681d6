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

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
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

void write_values(messagepack_writer& w, std::span<const value> values) {
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
//
// The readers fill the message in place and answer true, or store the error
// and answer false: no result<T> per field, no copy of the message on the way
// out. The common items take the reader's try_read_head() fast path.

/// The items of one message array, read in order against the layout of its type.
class message_items {
public:
    message_items(messagepack_reader& reader, std::size_t count) noexcept : reader_(&reader), count_(count) {}

    void set_layout(std::string_view type, std::string_view requirement) noexcept {
        type_ = type;
        requirement_ = requirement;
    }

    std::size_t count() const noexcept { return count_; }
    protocol_error& error() noexcept { return error_; }

    bool fail(protocol_error e) {
        error_ = std::move(e);
        return false;
    }

    bool require(std::size_t needed, std::string_view layout) {
        if (count_ >= needed) return true;
        return fail(make_protocol_error(error::too_few_items,
                                        std::string(type_) + ": the message array has " + std::to_string(count_) +
                                            " items, " + std::string(layout) + " needs at least " +
                                            std::to_string(needed),
                                        0, requirement_));
    }

    /// The head of any item, message item or not.
    bool read_head(messagepack_head& head) {
        if (reader_->try_read_head(head)) [[likely]]
            return true;
        auto slow = reader_->read_head();
        if (!slow) return fail(std::move(slow).error());
        head = *slow;
        return true;
    }

    bool next_head(messagepack_head& head) {
        ++read_;
        return read_head(head);
    }

    /// A whole item (nested items included) into `out`.
    bool read_value(value& out) {
        messagepack_head head;
        if (!read_head(head)) return false;
        switch (head.kind) {
        case value_kind::null: out = value{}; return true;
        case value_kind::boolean: out = value{head.boolean}; return true;
        case value_kind::integer: out = value{head.integer}; return true;
        case value_kind::unsigned_integer: out = value{head.unsigned_integer}; return true;
        case value_kind::floating: out = value{head.floating}; return true;
        case value_kind::string: out = value{std::string(head.bytes)}; return true;
        default: break;
        }
        auto whole = reader_->read_value(head);
        if (!whole) return fail(std::move(whole).error());
        out = std::move(*whole);
        return true;
    }

    bool next_value(value& out) {
        ++read_;
        return read_value(out);
    }

    /// A string or nil into `out` (nil leaves it empty); an empty string is "".
    bool next_nullable_string(std::string_view field, std::optional<std::string>& out) {
        messagepack_head head;
        if (!next_head(head)) return false;
        if (head.kind == value_kind::null) return true;
        if (head.kind != value_kind::string) return wrong_type(head, field, "a string or nil");
        out.emplace(head.bytes);
        return true;
    }

    /// A non-empty string: nil or "" is .NET's "Null or empty ..." error.
    bool next_required_string(std::string_view field, std::string_view null_or_empty, std::string& out) {
        messagepack_head head;
        if (!next_head(head)) return false;
        if (head.kind != value_kind::string && head.kind != value_kind::null)
            return wrong_type(head, field, "a string");
        if (head.bytes.empty()) return missing(null_or_empty, head.offset, requirement_);
        out.assign(head.bytes);
        return true;
    }

    bool next_bool(std::string_view field, bool& out) {
        messagepack_head head;
        if (!next_head(head)) return false;
        if (head.kind != value_kind::boolean) return wrong_type(head, field, "a boolean");
        out = head.boolean;
        return true;
    }

    bool next_int64(std::string_view field, std::int64_t& out) {
        messagepack_head head;
        if (!next_head(head)) return false;
        if (head.kind != value_kind::integer) return wrong_type(head, field, "an int64 integer");
        out = head.integer;
        return true;
    }

    /// The header map right after the type code: str -> str, both non-empty (MSG-007).
    bool next_headers(header_map& out) {
        messagepack_head head;
        if (!next_head(head)) return false;
        if (head.kind != value_kind::map) return wrong_type(head, "headers", "a map", "MSG-007");
        if (head.count == 0) return true;
        out.reserve(std::min<std::size_t>(head.count, 64)); // a hostile count may be as large as the body
        for (std::size_t i = 0; i < head.count; ++i) {
            auto& [key, item] = out.emplace_back();
            if (!header_string(i, "Key", "Null or empty key in header.", key)) return false;
            if (!header_string(i, "Value", "Null or empty value in header.", item)) return false;
        }
        return true;
    }

    bool next_arguments(value_list& out) {
        messagepack_head head;
        if (!next_head(head)) return false;
        if (head.kind != value_kind::array) return wrong_type(head, "arguments", "an array");
        if (head.count == 0) return true;
        // One allocation for the list; the count is bounded by the bytes left, but a
        // hostile one could still ask for 40 times the body, so cap what is reserved.
        out.reserve(std::min<std::size_t>(head.count, 256));
        for (std::size_t i = 0; i < head.count; ++i) {
            if (!read_value(out.emplace_back())) return false;
        }
        return true;
    }

    bool next_stream_ids(std::vector<std::string>& out) {
        messagepack_head head;
        if (!next_head(head)) return false;
        if (head.kind != value_kind::array) return wrong_type(head, "streamIds", "an array");
        if (head.count == 0) return true;
        out.reserve(std::min<std::size_t>(head.count, 256));
        for (std::size_t i = 0; i < head.count; ++i) {
            messagepack_head id;
            if (!read_head(id)) return false;
            if (id.kind != value_kind::string && id.kind != value_kind::null) {
                return wrong_type(id, "streamIds[" + std::to_string(i) + "]", "a string");
            }
            if (id.bytes.empty()) return missing("Null or empty value in streamIds received.", id.offset, requirement_);
            out.emplace_back(id.bytes);
        }
        return true;
    }

    /// Steps over the items this side does not read (MSG-009), then insists that
    /// the array ends the body: the VarInt counts the message, nothing else (FRAME-005).
    bool finish() {
        for (; read_ < count_; ++read_) {
            if (auto r = reader_->skip(); !r) return fail(std::move(r).error());
        }
        if (!reader_->at_end()) {
            return fail(make_protocol_error(error::invalid_messagepack,
                                            std::string(type_) + ": " + std::to_string(reader_->remaining()) +
                                                " bytes follow the message array",
                                            reader_->offset(), "FRAME-005"));
        }
        return true;
    }

    bool wrong_type(const messagepack_head& head, std::string_view field, std::string_view expected,
                    std::string_view requirement = {}) {
        return fail(make_protocol_error(error::wrong_property_type,
                                        std::string(type_) + ": '" + std::string(field) + "' must be " +
                                            std::string(expected) + ", found " + std::string(kind_name(head.kind)),
                                        head.offset, requirement.empty() ? requirement_ : requirement));
    }

private:
    bool missing(std::string_view text, std::size_t offset, std::string_view requirement) {
        return fail(make_protocol_error(error::missing_property, std::string(text), offset, requirement));
    }

    bool header_string(std::size_t index, std::string_view part, std::string_view null_or_empty, std::string& out) {
        messagepack_head head;
        if (!read_head(head)) return false;
        if (head.kind != value_kind::string && head.kind != value_kind::null) {
            return wrong_type(head, "headers[" + std::to_string(index) + "]." + std::string(part), "a string",
                              "MSG-007");
        }
        if (head.bytes.empty()) return missing(null_or_empty, head.offset, "MSG-007");
        out.assign(head.bytes);
        return true;
    }

    messagepack_reader* reader_;
    std::size_t count_;
    std::size_t read_ = 1; // the type code
    std::string_view type_;
    std::string_view requirement_;
    protocol_error error_;
};

// Each reader takes the items after the type code into `out`; require() has checked nothing yet.

bool read_invocation(message_items& items, hub_message& out) {
    if (!items.require(5, "an Invocation")) return false;
    auto& m = out.emplace<invocation_message>();
    if (!items.next_headers(m.headers)) return false;
    if (!items.next_nullable_string("invocationId", m.invocation_id)) return false;
    // Empty means non-blocking, as nil does (MSG-014).
    if (m.invocation_id && m.invocation_id->empty()) m.invocation_id.reset();
    if (!items.next_required_string("target", "Null or empty target for Invocation message.", m.target)) return false;
    if (!items.next_arguments(m.arguments)) return false;
    // The TS client leaves streamIds out when it has none (MSG-013).
    return items.count() <= 5 || items.next_stream_ids(m.stream_ids);
}

bool read_stream_invocation(message_items& items, hub_message& out) {
    if (!items.require(5, "a StreamInvocation")) return false;
    auto& m = out.emplace<stream_invocation_message>();
    if (!items.next_headers(m.headers)) return false;
    if (!items.next_required_string("invocationId", "Null or empty invocation ID for StreamInvocation message.",
                                    m.invocation_id)) {
        return false;
    }
    if (!items.next_required_string("target", "Null or empty target for StreamInvocation message.", m.target)) {
        return false;
    }
    if (!items.next_arguments(m.arguments)) return false;
    return items.count() <= 5 || items.next_stream_ids(m.stream_ids);
}

bool read_stream_item(message_items& items, hub_message& out) {
    if (!items.require(4, "a StreamItem")) return false;
    auto& m = out.emplace<stream_item_message>();
    if (!items.next_headers(m.headers)) return false;
    if (!items.next_required_string("invocationId", "Null or empty invocation ID for StreamItem message.",
                                    m.invocation_id)) {
        return false;
    }
    return items.next_value(m.item);
}

bool read_completion(message_items& items, hub_message& out) {
    if (!items.require(4, "a Completion")) return false;
    auto& m = out.emplace<completion_message>();
    if (!items.next_headers(m.headers)) return false;
    if (!items.next_required_string("invocationId", "Null or empty invocation ID for Completion message.",
                                    m.invocation_id)) {
        return false;
    }

    messagepack_head kind;
    if (!items.next_head(kind)) return false;
    if (kind.kind != value_kind::integer && kind.kind != value_kind::unsigned_integer) {
        return items.wrong_type(kind, "resultKind", "an integer");
    }
    const bool known = kind.kind == value_kind::integer &&
                       (kind.integer == error_result || kind.integer == void_result || kind.integer == non_void_result);
    if (!known) {
        return items.fail(make_protocol_error(error::invalid_result_kind, std::string(texts::invalid_result_kind),
                                              kind.offset, "MSG-043"));
    }
    if (kind.integer == error_result) {
        if (!items.require(5, "result kind 1 (error)")) return false;
        messagepack_head text;
        if (!items.next_head(text)) return false;
        if (text.kind != value_kind::string) return items.wrong_type(text, "error", "a string");
        m.error.emplace(text.bytes);
    } else if (kind.integer == non_void_result) {
        if (!items.require(5, "result kind 3 (non-void)")) return false;
        return items.next_value(m.result.emplace());
    }
    return true;
}

bool read_cancel_invocation(message_items& items, hub_message& out) {
    if (!items.require(3, "a CancelInvocation")) return false;
    auto& m = out.emplace<cancel_invocation_message>();
    if (!items.next_headers(m.headers)) return false;
    return items.next_required_string("invocationId", "Null or empty invocation ID for CancelInvocation message.",
                                      m.invocation_id);
}

bool read_ping(message_items&, hub_message& out) {
    out.emplace<ping_message>();
    return true;
}

bool read_close(message_items& items, hub_message& out) {
    if (!items.require(2, "a Close")) return false;
    auto& m = out.emplace<close_message>();
    // An empty error is still an error, as in .NET's reader.
    if (!items.next_nullable_string("error", m.error)) return false;
    // The TS client writes [7, error] without allowReconnect (MSG-071).
    return items.count() <= 2 || items.next_bool("allowReconnect", m.allow_reconnect);
}

bool read_ack(message_items& items, hub_message& out) {
    if (!items.require(2, "an Ack")) return false;
    return items.next_int64("sequenceId", out.emplace<ack_message>().sequence_id);
}

bool read_sequence(message_items& items, hub_message& out) {
    if (!items.require(2, "a Sequence")) return false;
    return items.next_int64("sequenceId", out.emplace<sequence_message>().sequence_id);
}

struct message_layout {
    std::string_view name;
    std::string_view requirement;
    bool (*read)(message_items&, hub_message&);
};

// Indexed by type code; requirement IDs name each type's MessagePack layout.
constexpr message_layout layouts[] = {
    {"Unknown", "MSG-004", nullptr},
    {"Invocation", "MSG-013", read_invocation},
    {"StreamItem", "MSG-032", read_stream_item},
    {"Completion", "MSG-043", read_completion},
    {"StreamInvocation", "MSG-021", read_stream_invocation},
    {"CancelInvocation", "MSG-050", read_cancel_invocation},
    {"Ping", "MSG-060", read_ping},
    {"Close", "MSG-071", read_close},
    {"Ack", "MSG-080", read_ack},
    {"Sequence", "MSG-081", read_sequence},
};

bool read_body(std::string_view body, hub_message& out, protocol_error& failure) {
    if (body.empty()) {
        failure = make_protocol_error(error::empty_record, "a MessagePack message body is empty", 0, "FRAME-012");
        return false;
    }
    messagepack_reader reader(body);
    messagepack_head head;
    if (!reader.try_read_head(head)) {
        auto slow = reader.read_head();
        if (!slow) {
            failure = std::move(slow).error();
            return false;
        }
        head = *slow;
    }
    if (head.kind != value_kind::array) {
        failure = make_protocol_error(
            error::not_an_array, "a message must be a MessagePack array, found " + std::string(kind_name(head.kind)), 0,
            "MSG-009");
        return false;
    }
    if (head.count == 0) {
        failure = make_protocol_error(error::too_few_items,
                                      "the message array is empty: its first item must be the type code", 0, "MSG-009");
        return false;
    }
    message_items items(reader, head.count);
    messagepack_head type;
    if (!items.read_head(type)) {
        failure = std::move(items.error());
        return false;
    }
    if (type.kind != value_kind::integer) {
        failure = make_protocol_error(error::missing_type,
                                      "the first item of a message must be its integer type code, found " +
                                          std::string(kind_name(type.kind)),
                                      type.offset, "MSG-009");
        return false;
    }

    const std::int64_t code = type.integer;
    const bool known = code >= 1 && code <= 9;
    const message_layout& layout = layouts[known ? static_cast<std::size_t>(code) : 0];
    items.set_layout(layout.name, layout.requirement);
    if (known) {
        if (!layout.read(items, out)) {
            failure = std::move(items.error());
            return false;
        }
    } else {
        out = unknown_message{code}; // skipped by receivers (MSG-004)
    }
    if (!items.finish()) {
        failure = std::move(items.error());
        return false;
    }
    return true;
}

result<hub_message> parse_body(std::string_view body) {
    // One result, built in place and returned by name: the message is never copied.
    result<hub_message> out(boost::system::in_place_value, ping_message{});
    protocol_error failure;
    if (!read_body(body, *out, failure)) out = result<hub_message>(boost::system::in_place_error, std::move(failure));
    return out;
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
