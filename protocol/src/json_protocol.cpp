// The JSON hub protocol (MSG-*, FRAME-001/002): records are UTF-8 JSON objects
// ended by RS. Readers accept any property order and skip unknown properties
// (MSG-002, MSG-006); the writer emits ASP.NET Core's property order (MSG-003).

#include "hubspec/protocol/hub_protocol.hpp"
#include "hubspec/protocol/json_value.hpp"
#include "hubspec/protocol/texts.hpp"

#include "detail/json_reader.hpp"

#include <charconv>
#include <optional>
#include <span>

namespace hubspec::protocol {

namespace {

/// Every envelope property, gathered before the type is known (the TS client writes `type` last).
struct json_envelope {
    std::optional<std::int64_t> type;
    header_map headers;
    std::optional<std::string> invocation_id;
    std::optional<std::string> target;
    std::optional<value_list> arguments;
    std::vector<std::string> stream_ids;
    std::optional<value> item;
    std::optional<value> result;
    std::optional<std::string> error;
    bool allow_reconnect = false;
    std::optional<std::int64_t> sequence_id;
};

protocol_error wrong_type(const detail::json_reader& reader, std::string_view property, std::string_view expected) {
    return make_protocol_error(error::wrong_property_type,
                               "property '" + std::string(property) + "' must be " + std::string(expected),
                               reader.position());
}

protocol_error missing(std::string_view property, std::string_view requirement) {
    return make_protocol_error(error::missing_property, texts::missing_required_property(property), 0, requirement);
}

result<std::optional<std::string>> read_optional_string(detail::json_reader& reader, std::string_view property) {
    if (reader.peek() == 'n') {
        auto v = reader.read_value();
        if (!v) return v.error();
        return std::optional<std::string>{};
    }
    if (reader.peek() != '"') return wrong_type(reader, property, "a string");
    auto s = reader.read_string();
    if (!s) return s.error();
    return std::optional<std::string>(std::move(*s));
}

result<std::int64_t> read_integer(detail::json_reader& reader, std::string_view property) {
    const char c = reader.peek();
    if (c != '-' && (c < '0' || c > '9')) return wrong_type(reader, property, "a number");
    auto v = reader.read_value();
    if (!v) return v.error();
    if (auto i = v->as_int64()) return *i;
    return wrong_type(reader, property, "an integer");
}

result<void> read_property(detail::json_reader& reader, std::string_view name, json_envelope& env) {
    if (name == "type") {
        auto t = read_integer(reader, name);
        if (!t) {
            auto e = t.error();
            e.code = error::missing_type;
            e.requirement = "MSG-005";
            return e;
        }
        env.type = *t;
    } else if (name == "invocationId") {
        auto s = read_optional_string(reader, name);
        if (!s) return s.error();
        env.invocation_id = std::move(*s);
    } else if (name == "target") {
        auto s = read_optional_string(reader, name);
        if (!s) return s.error();
        env.target = std::move(*s);
    } else if (name == "error") {
        auto s = read_optional_string(reader, name);
        if (!s) return s.error();
        env.error = std::move(*s);
    } else if (name == "arguments") {
        if (reader.peek() != '[') return wrong_type(reader, name, "an array");
        if (auto r = reader.read_array(env.arguments.emplace()); !r) return r.error();
    } else if (name == "item") {
        auto v = reader.read_value();
        if (!v) return v.error();
        env.item = std::move(*v);
    } else if (name == "result") {
        auto v = reader.read_value();
        if (!v) return v.error();
        env.result = std::move(*v);
    } else if (name == "headers") {
        if (reader.peek() != '{') return wrong_type(reader, name, "an object of strings");
        auto v = reader.read_value();
        if (!v) return v.error();
        env.headers.clear();
        for (auto& entry : *v->get_if<map>()) {
            auto* header_value = entry.item.get_if<std::string>();
            if (header_value == nullptr) return wrong_type(reader, "headers", "an object of strings");
            env.headers.emplace_back(std::move(*entry.key.get_if<std::string>()), std::move(*header_value));
        }
    } else if (name == "streamIds") {
        if (reader.peek() != '[') return wrong_type(reader, name, "an array of strings");
        auto v = reader.read_value();
        if (!v) return v.error();
        env.stream_ids.clear();
        for (auto& id : *v->get_if<array>()) {
            auto* s = id.get_if<std::string>();
            if (s == nullptr) return wrong_type(reader, name, "an array of strings");
            env.stream_ids.push_back(std::move(*s));
        }
    } else if (name == "allowReconnect") {
        auto v = reader.read_value();
        if (!v) return v.error();
        const auto* b = v->get_if<bool>();
        if (b == nullptr) return wrong_type(reader, name, "a boolean");
        env.allow_reconnect = *b;
    } else if (name == "sequenceId") {
        auto i = read_integer(reader, name);
        if (!i) return i.error();
        env.sequence_id = *i;
    } else {
        return reader.skip_value(); // unknown properties are ignored (MSG-006)
    }
    return {};
}

/// Non-empty invocation id or none: an empty id means non-blocking (MSG-012).
std::optional<std::string> optional_id(std::optional<std::string>& id) {
    if (id && !id->empty()) return std::move(*id);
    return std::nullopt;
}

result<hub_message> build_message(json_envelope& env) {
    if (!env.type) {
        return make_protocol_error(error::missing_type, texts::missing_required_property("type"), 0, "MSG-005");
    }
    switch (*env.type) {
    case 1: { // Invocation (MSG-010, MSG-011)
        if (!env.target) return missing("target", "MSG-011");
        if (!env.arguments) return missing("arguments", "MSG-011");
        return invocation_message{std::move(env.headers), optional_id(env.invocation_id), std::move(*env.target),
                                  std::move(*env.arguments), std::move(env.stream_ids)};
    }
    // An empty id counts as missing: writers omit it (MSG-003), so it could not be written back.
    case 2: { // StreamItem (MSG-030, MSG-031)
        if (!env.invocation_id || env.invocation_id->empty()) return missing("invocationId", "MSG-031");
        if (!env.item) return missing("item", "MSG-031");
        return stream_item_message{std::move(env.headers), std::move(*env.invocation_id), std::move(*env.item)};
    }
    case 3: { // Completion (MSG-040, MSG-041)
        if (!env.invocation_id || env.invocation_id->empty()) return missing("invocationId", "MSG-040");
        if (env.result && env.error) {
            return make_protocol_error(error::result_and_error, std::string(texts::result_and_error_exclusive));
        }
        return completion_message{std::move(env.headers), std::move(*env.invocation_id), std::move(env.result),
                                  std::move(env.error)};
    }
    case 4: { // StreamInvocation (MSG-020)
        auto id = optional_id(env.invocation_id);
        if (!id) return missing("invocationId", "MSG-020");
        if (!env.target) return missing("target", "MSG-020");
        if (!env.arguments) return missing("arguments", "MSG-020");
        return stream_invocation_message{std::move(env.headers), std::move(*id), std::move(*env.target),
                                         std::move(*env.arguments), std::move(env.stream_ids)};
    }
    case 5: { // CancelInvocation (MSG-050)
        if (!env.invocation_id || env.invocation_id->empty()) return missing("invocationId", "MSG-050");
        return cancel_invocation_message{std::move(env.headers), std::move(*env.invocation_id)};
    }
    case 6: return ping_message{};
    case 7: return close_message{std::move(env.error), env.allow_reconnect};
    case 8:
        if (!env.sequence_id) return missing("sequenceId", "MSG-082");
        return ack_message{*env.sequence_id};
    case 9:
        if (!env.sequence_id) return missing("sequenceId", "MSG-082");
        return sequence_message{*env.sequence_id};
    default: return unknown_message{*env.type}; // skipped by receivers (MSG-004)
    }
}

void write_integer(std::int64_t n, std::string& out) {
    char buffer[24];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, n);
    out.append(buffer, end);
}

void write_headers(const header_map& headers, std::string& out) {
    if (headers.empty()) return; // omitted when empty (MSG-008)
    out += ",\"headers\":{";
    bool first = true;
    for (const auto& [key, item] : headers) {
        if (!first) out += ',';
        first = false;
        write_json_string(key, out);
        out += ':';
        write_json_string(item, out);
    }
    out += '}';
}

void write_invocation_id(std::string_view id, std::string& out) {
    if (id.empty()) return;
    out += ",\"invocationId\":";
    write_json_string(id, out);
}

void write_call(std::string_view target, std::span<const value> arguments, const std::vector<std::string>& stream_ids,
                std::string& out) {
    out += ",\"target\":";
    write_json_string(target, out);
    out += ",\"arguments\":[";
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        if (i > 0) out += ',';
        write_json_value(arguments[i], out);
    }
    out += ']';
    if (!stream_ids.empty()) {
        out += ",\"streamIds\":[";
        for (std::size_t i = 0; i < stream_ids.size(); ++i) {
            if (i > 0) out += ',';
            write_json_string(stream_ids[i], out);
        }
        out += ']';
    }
}

struct json_writer {
    std::string& out;

    void operator()(const invocation_message& m) const {
        out += "{\"type\":1";
        write_headers(m.headers, out);
        if (m.invocation_id) write_invocation_id(*m.invocation_id, out);
        write_call(m.target, m.arguments, m.stream_ids, out);
    }
    void operator()(const stream_item_message& m) const {
        out += "{\"type\":2";
        write_headers(m.headers, out);
        write_invocation_id(m.invocation_id, out);
        out += ",\"item\":";
        write_json_value(m.item, out);
    }
    void operator()(const completion_message& m) const {
        out += "{\"type\":3";
        write_headers(m.headers, out);
        write_invocation_id(m.invocation_id, out);
        if (m.error) {
            out += ",\"error\":";
            write_json_string(*m.error, out);
        } else if (m.result) {
            out += ",\"result\":";
            write_json_value(*m.result, out);
        }
    }
    void operator()(const stream_invocation_message& m) const {
        out += "{\"type\":4";
        write_headers(m.headers, out);
        write_invocation_id(m.invocation_id, out);
        write_call(m.target, m.arguments, m.stream_ids, out);
    }
    void operator()(const cancel_invocation_message& m) const {
        out += "{\"type\":5";
        write_headers(m.headers, out);
        write_invocation_id(m.invocation_id, out);
    }
    void operator()(const ping_message&) const { out += "{\"type\":6"; }
    void operator()(const close_message& m) const {
        out += "{\"type\":7";
        if (m.error) {
            out += ",\"error\":";
            write_json_string(*m.error, out);
        }
        if (m.allow_reconnect) out += ",\"allowReconnect\":true"; // written only when true (MSG-070)
    }
    void operator()(const ack_message& m) const {
        out += "{\"type\":8,\"sequenceId\":";
        write_integer(m.sequence_id, out);
    }
    void operator()(const sequence_message& m) const {
        out += "{\"type\":9,\"sequenceId\":";
        write_integer(m.sequence_id, out);
    }
    void operator()(const unknown_message& m) const {
        out += "{\"type\":";
        write_integer(m.type, out);
    }
};

class json_hub_protocol final : public hub_protocol {
public:
    std::string_view name() const noexcept override { return "json"; }
    int version() const noexcept override { return 2; }
    transfer_format format() const noexcept override { return transfer_format::text; }

    void write(const hub_message& message, std::string& out) const override {
        std::visit(json_writer{out}, message);
        out += '}';
        out += record_separator;
    }

    result<record_view> next_record(std::string_view input, std::size_t max_size) const override {
        return next_json_record(input, max_size);
    }

    result<hub_message> parse(std::string_view body) const override {
        detail::json_reader reader(body);
        if (reader.peek() != '{') {
            return make_protocol_error(error::not_an_object, "a hub message must be a JSON object", reader.position());
        }
        (void)reader.consume_if('{'); // just peeked
        json_envelope env;
        std::string scratch; // only used by a property name with escapes
        if (!reader.consume_if('}')) {
            do {
                if (reader.peek() != '"') return reader.fail("expected a property name");
                auto name = reader.read_string_view(scratch);
                if (!name) return name.error();
                if (auto r = reader.expect(':'); !r) return r.error();
                if (auto r = read_property(reader, *name, env); !r) return r.error();
            } while (reader.consume_if(','));
            if (auto r = reader.expect('}'); !r) return r.error();
        }
        if (!reader.at_end()) return reader.fail("unexpected bytes after the message object");
        return build_message(env);
    }
};

} // namespace

const hub_protocol& json_protocol() noexcept {
    static const json_hub_protocol protocol;
    return protocol;
}

} // namespace hubspec::protocol
