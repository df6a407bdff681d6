#include "hubspec/harness/message_json.hpp"

#include "hubspec/protocol/base64.hpp"
#include "hubspec/protocol/detail/helpers.hpp"
#include "hubspec/protocol/json_value.hpp"

#include <charconv>
#include <cmath>
#include <span>

namespace hubspec::harness {

namespace proto = hubspec::protocol;

namespace {

using proto::detail::overloaded;

void write_base64(const std::vector<std::uint8_t>& bytes, std::string& out) {
    out += '"';
    proto::append_base64(out, bytes.data(), bytes.size());
    out += '"';
}

bool needs_explicit_map(const proto::map& m) {
    for (const auto& entry : m) {
        const auto* key = entry.key.as_string();
        if (key == nullptr || (!key->empty() && key->front() == '$')) return true;
    }
    return false;
}

proto::protocol_error bad(std::string message) {
    return proto::make_protocol_error(proto::error::invalid_json, std::move(message), 0, "hubspec-json");
}

std::optional<std::vector<std::uint8_t>> decode_base64_value(const proto::value& v) {
    const auto* text = v.as_string();
    if (text == nullptr) return std::nullopt;
    return proto::from_base64(*text);
}

void write_headers(const proto::header_map& headers, std::string& out) {
    if (headers.empty()) return;
    out += ",\"headers\":{";
    for (std::size_t i = 0; i < headers.size(); ++i) {
        if (i > 0) out += ',';
        proto::write_json_string(headers[i].first, out);
        out += ':';
        proto::write_json_string(headers[i].second, out);
    }
    out += '}';
}

void write_string_field(std::string_view name, std::string_view text, std::string& out) {
    out += ",\"";
    out += name;
    out += "\":";
    proto::write_json_string(text, out);
}

void write_call(const std::string& target, std::span<const proto::value> arguments,
                const std::vector<std::string>& stream_ids, std::string& out) {
    write_string_field("target", target, out);
    out += ",\"arguments\":[";
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        if (i > 0) out += ',';
        write_value_json(arguments[i], out);
    }
    out += ']';
    if (!stream_ids.empty()) {
        out += ",\"streamIds\":[";
        for (std::size_t i = 0; i < stream_ids.size(); ++i) {
            if (i > 0) out += ',';
            proto::write_json_string(stream_ids[i], out);
        }
        out += ']';
    }
}

// Reading back ------------------------------------------------------------

struct field_reader {
    const proto::value& object;

    const proto::value* get(std::string_view name) const { return object.find(name); }

    proto::result<std::optional<std::string>> optional_string(std::string_view name) const {
        const auto* v = get(name);
        if (v == nullptr || v->is_null()) return std::optional<std::string>{};
        if (v->as_string() == nullptr) return bad("'" + std::string(name) + "' must be a string");
        return std::optional<std::string>(*v->as_string());
    }

    proto::result<std::string> required_string(std::string_view name) const {
        auto s = optional_string(name);
        if (!s) return s.error();
        if (!*s) return bad("'" + std::string(name) + "' is required");
        return std::move(**s);
    }

    proto::result<proto::header_map> headers() const {
        proto::header_map out;
        const auto* v = get("headers");
        if (v == nullptr) return out;
        const auto* entries = v->get_if<proto::map>();
        if (entries == nullptr) return bad("'headers' must be an object of strings");
        for (const auto& entry : *entries) {
            if (entry.item.as_string() == nullptr) return bad("'headers' must be an object of strings");
            out.emplace_back(*entry.key.as_string(), *entry.item.as_string());
        }
        return out;
    }

    proto::result<proto::value_list> arguments() const {
        const auto* v = get("arguments");
        if (v == nullptr) return bad("'arguments' is required");
        const auto* items = v->get_if<proto::array>();
        if (items == nullptr) return bad("'arguments' must be an array");
        proto::value_list out;
        for (const auto& item : *items) {
            auto converted = value_from_json(item);
            if (!converted) return converted.error();
            out.push_back(std::move(*converted));
        }
        return out;
    }

    proto::result<std::vector<std::string>> stream_ids() const {
        std::vector<std::string> out;
        const auto* v = get("streamIds");
        if (v == nullptr) return out;
        const auto* items = v->get_if<proto::array>();
        if (items == nullptr) return bad("'streamIds' must be an array of strings");
        for (const auto& item : *items) {
            if (item.as_string() == nullptr) return bad("'streamIds' must be an array of strings");
            out.push_back(*item.as_string());
        }
        return out;
    }

    proto::result<std::optional<proto::value>> optional_value(std::string_view name) const {
        const auto* v = get(name);
        if (v == nullptr) return std::optional<proto::value>{};
        auto converted = value_from_json(*v);
        if (!converted) return converted.error();
        return std::optional<proto::value>(std::move(*converted));
    }

    proto::result<std::int64_t> integer(std::string_view name) const {
        const auto* v = get(name);
        if (v == nullptr || !v->as_int64()) return bad("'" + std::string(name) + "' must be an integer");
        return *v->as_int64();
    }
};

} // namespace

void write_value_json(const proto::value& v, std::string& out) {
    switch (v.kind()) {
    case proto::value_kind::binary:
        out += "{\"$binary\":";
        write_base64(v.get_if<proto::binary>()->bytes, out);
        out += '}';
        return;
    case proto::value_kind::extension: {
        const auto* e = v.get_if<proto::extension>();
        out += "{\"$ext\":{\"type\":";
        out += std::to_string(e->type);
        out += ",\"data\":";
        write_base64(e->data, out);
        out += "}}";
        return;
    }
    case proto::value_kind::floating: {
        const double d = *v.get_if<double>();
        if (std::isfinite(d)) {
            proto::write_json_value(v, out);
        } else {
            out += "{\"$double\":";
            out += std::isnan(d) ? "\"NaN\"" : (d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
            out += '}';
        }
        return;
    }
    case proto::value_kind::array: {
        out += '[';
        const auto& items = *v.get_if<proto::array>();
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (i > 0) out += ',';
            write_value_json(items[i], out);
        }
        out += ']';
        return;
    }
    case proto::value_kind::map: {
        const auto& entries = *v.get_if<proto::map>();
        if (needs_explicit_map(entries)) {
            out += "{\"$map\":[";
            for (std::size_t i = 0; i < entries.size(); ++i) {
                if (i > 0) out += ',';
                out += '[';
                write_value_json(entries[i].key, out);
                out += ',';
                write_value_json(entries[i].item, out);
                out += ']';
            }
            out += "]}";
            return;
        }
        out += '{';
        for (std::size_t i = 0; i < entries.size(); ++i) {
            if (i > 0) out += ',';
            proto::write_json_string(*entries[i].key.as_string(), out);
            out += ':';
            write_value_json(entries[i].item, out);
        }
        out += '}';
        return;
    }
    default: proto::write_json_value(v, out); return;
    }
}

proto::result<proto::value> value_from_json(const proto::value& parsed) {
    if (const auto* items = parsed.get_if<proto::array>()) {
        proto::array out;
        for (const auto& item : *items) {
            auto converted = value_from_json(item);
            if (!converted) return converted.error();
            out.push_back(std::move(*converted));
        }
        return proto::value(std::move(out));
    }
    const auto* entries = parsed.get_if<proto::map>();
    if (entries == nullptr) return parsed;
    if (entries->size() == 1) {
        const auto& key = *entries->front().key.as_string();
        const auto& item = entries->front().item;
        if (key == "$binary") {
            auto bytes = decode_base64_value(item);
            if (!bytes) return bad("'$binary' must be a base64 string");
            return proto::value(proto::binary{std::move(*bytes)});
        }
        if (key == "$ext") {
            const auto* type = item.find("type");
            const auto* data = item.find("data");
            auto bytes = data != nullptr ? decode_base64_value(*data) : std::nullopt;
            if (type == nullptr || !type->as_int64() || *type->as_int64() < -128 || *type->as_int64() > 127 || !bytes) {
                return bad("'$ext' must be {\"type\":-128..127,\"data\":base64}");
            }
            return proto::value(proto::extension{static_cast<std::int8_t>(*type->as_int64()), std::move(*bytes)});
        }
        if (key == "$double") {
            const auto* name = item.as_string();
            if (name != nullptr && *name == "NaN") return proto::value(std::nan(""));
            if (name != nullptr && *name == "Infinity") return proto::value(HUGE_VAL);
            if (name != nullptr && *name == "-Infinity") return proto::value(-HUGE_VAL);
            return bad("'$double' must be \"NaN\", \"Infinity\" or \"-Infinity\"");
        }
        if (key == "$map") {
            const auto* pairs = item.get_if<proto::array>();
            if (pairs == nullptr) return bad("'$map' must be an array of [key, value] pairs");
            proto::map out;
            for (const auto& pair : *pairs) {
                const auto* kv = pair.get_if<proto::array>();
                if (kv == nullptr || kv->size() != 2) return bad("'$map' must be an array of [key, value] pairs");
                auto k = value_from_json((*kv)[0]);
                if (!k) return k.error();
                auto v = value_from_json((*kv)[1]);
                if (!v) return v.error();
                out.push_back({std::move(*k), std::move(*v)});
            }
            return proto::value(std::move(out));
        }
    }
    proto::map out;
    for (const auto& entry : *entries) {
        auto converted = value_from_json(entry.item);
        if (!converted) return converted.error();
        out.push_back({entry.key, std::move(*converted)});
    }
    return proto::value(std::move(out));
}

std::string message_to_json(const proto::hub_message& message) {
    std::string out = "{\"type\":";
    proto::write_json_string(proto::type_name(message), out);
    std::visit(overloaded{
                   [&](const proto::invocation_message& m) {
                       write_headers(m.headers, out);
                       if (m.invocation_id) write_string_field("invocationId", *m.invocation_id, out);
                       write_call(m.target, m.arguments, m.stream_ids, out);
                   },
                   [&](const proto::stream_invocation_message& m) {
                       write_headers(m.headers, out);
                       write_string_field("invocationId", m.invocation_id, out);
                       write_call(m.target, m.arguments, m.stream_ids, out);
                   },
                   [&](const proto::stream_item_message& m) {
                       write_headers(m.headers, out);
                       write_string_field("invocationId", m.invocation_id, out);
                       out += ",\"item\":";
                       write_value_json(m.item, out);
                   },
                   [&](const proto::completion_message& m) {
                       write_headers(m.headers, out);
                       write_string_field("invocationId", m.invocation_id, out);
                       if (m.error) write_string_field("error", *m.error, out);
                       if (m.result) {
                           out += ",\"result\":";
                           write_value_json(*m.result, out);
                       }
                   },
                   [&](const proto::cancel_invocation_message& m) {
                       write_headers(m.headers, out);
                       write_string_field("invocationId", m.invocation_id, out);
                   },
                   [&](const proto::ping_message&) {},
                   [&](const proto::close_message& m) {
                       if (m.error) write_string_field("error", *m.error, out);
                       if (m.allow_reconnect) out += ",\"allowReconnect\":true";
                   },
                   [&](const proto::ack_message& m) { out += ",\"sequenceId\":" + std::to_string(m.sequence_id); },
                   [&](const proto::sequence_message& m) { out += ",\"sequenceId\":" + std::to_string(m.sequence_id); },
                   [&](const proto::unknown_message& m) { out += ",\"code\":" + std::to_string(m.type); },
               },
               message);
    out += '}';
    return out;
}

proto::result<proto::hub_message> message_from_json(std::string_view line) {
    auto parsed = proto::parse_json_value(line);
    if (!parsed) return parsed.error();
    if (parsed->kind() != proto::value_kind::map) return bad("a message must be a JSON object");
    const field_reader f{*parsed};
    const auto* type = f.get("type");
    if (type == nullptr || type->as_string() == nullptr)
        return bad("'type' must be a message name such as \"Invocation\"");
    const std::string& name = *type->as_string();
    const auto code = name == "Unknown" ? std::optional<std::int64_t>(0) : proto::type_code_from_name(name);
    if (!code) return bad("unknown message type '" + name + "'");

    auto headers = f.headers();
    if (!headers) return headers.error();
    switch (*code) {
    case 1:
    case 4: {
        auto id = f.optional_string("invocationId");
        auto target = f.required_string("target");
        auto arguments = f.arguments();
        auto stream_ids = f.stream_ids();
        if (!id) return id.error();
        if (!target) return target.error();
        if (!arguments) return arguments.error();
        if (!stream_ids) return stream_ids.error();
        if (*code == 1) {
            return proto::invocation_message{std::move(*headers), std::move(*id), std::move(*target),
                                             std::move(*arguments), std::move(*stream_ids)};
        }
        if (!*id) return bad("'invocationId' is required");
        return proto::stream_invocation_message{std::move(*headers), std::move(**id), std::move(*target),
                                                std::move(*arguments), std::move(*stream_ids)};
    }
    case 2: {
        auto id = f.required_string("invocationId");
        auto item = f.optional_value("item");
        if (!id) return id.error();
        if (!item) return item.error();
        return proto::stream_item_message{std::move(*headers), std::move(*id), item->value_or(proto::value())};
    }
    case 3: {
        auto id = f.required_string("invocationId");
        auto error = f.optional_string("error");
        auto result = f.optional_value("result");
        if (!id) return id.error();
        if (!error) return error.error();
        if (!result) return result.error();
        return proto::completion_message{std::move(*headers), std::move(*id), std::move(*result), std::move(*error)};
    }
    case 5: {
        auto id = f.required_string("invocationId");
        if (!id) return id.error();
        return proto::cancel_invocation_message{std::move(*headers), std::move(*id)};
    }
    case 6: return proto::ping_message{};
    case 7: {
        auto error = f.optional_string("error");
        if (!error) return error.error();
        const auto* allow = f.get("allowReconnect");
        return proto::close_message{std::move(*error),
                                    allow != nullptr && allow->get_if<bool>() && *allow->get_if<bool>()};
    }
    case 8:
    case 9: {
        auto id = f.integer("sequenceId");
        if (!id) return id.error();
        if (*code == 8) return proto::ack_message{*id};
        return proto::sequence_message{*id};
    }
    default: {
        auto unknown_code = f.integer("code");
        if (!unknown_code) return unknown_code.error();
        return proto::unknown_message{*unknown_code};
    }
    }
}

} // namespace hubspec::harness
