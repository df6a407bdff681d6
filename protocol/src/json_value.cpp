#include "hubspec/protocol/json_value.hpp"

#include "detail/json_reader.hpp"
#include "detail/json_scan.hpp"
#include "detail/utf8.hpp"
#include "hubspec/protocol/base64.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace hubspec::protocol {

namespace {

constexpr char hex_upper[] = "0123456789ABCDEF";

void append_u_escape(std::string& out, std::uint32_t unit) {
    out += "\\u";
    out += hex_upper[(unit >> 12) & 15];
    out += hex_upper[(unit >> 8) & 15];
    out += hex_upper[(unit >> 4) & 15];
    out += hex_upper[unit & 15];
}

void write_double(double d, std::string& out) {
    if (std::isnan(d)) {
        out += "\"NaN\""; // JSON has no NaN; .NET's named-literal spelling
        return;
    }
    if (std::isinf(d)) {
        out += d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
        return;
    }
    char buffer[32];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, d);
    const std::string_view text(buffer, static_cast<std::size_t>(end - buffer));
    out += text;
    // Keep doubles distinguishable from integers when read back.
    if (text.find_first_of(".e") == std::string_view::npos) out += ".0";
}

void write_map_key(const value& key, std::string& out) {
    if (const auto* s = key.as_string()) {
        write_json_string(*s, out);
        return;
    }
    // JSON keys are strings: a MessagePack key of another kind is written as its JSON text.
    std::string text;
    write_json_value(key, text);
    write_json_string(text, out);
}

} // namespace

result<value> parse_json_value(std::string_view text) {
    detail::json_reader reader(text);
    auto v = reader.read_value();
    if (!v) return v.error();
    if (!reader.at_end()) return reader.fail("unexpected bytes after the JSON value");
    return v;
}

void write_json_string(std::string_view s, std::string& out) {
    out += '"';
    std::size_t run_start = 0;
    auto flush = [&](std::size_t upto) { out.append(s.substr(run_start, upto - run_start)); };
    for (std::size_t i = detail::skip_plain_ascii(s, 0); i < s.size(); i = detail::skip_plain_ascii(s, i)) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            std::uint32_t cp = 0;
            const std::size_t n = detail::decode_utf8(s, i, cp);
            if (n == 0) {
                flush(i);
                append_u_escape(out, 0xFFFD); // invalid UTF-8 becomes U+FFFD, as .NET's transcoder does
                run_start = ++i;
            } else if (cp >= 0x10000) {
                // Outside the BMP: .NET's relaxed encoder still escapes it as a surrogate pair.
                flush(i);
                const std::uint32_t v = cp - 0x10000;
                append_u_escape(out, 0xD800 + (v >> 10));
                append_u_escape(out, 0xDC00 + (v & 0x3FF));
                i += n;
                run_start = i;
            } else {
                i += n;
            }
            continue;
        }
        flush(i);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default: append_u_escape(out, c); break; // includes U+001E (FRAME-002)
        }
        run_start = ++i;
    }
    flush(s.size());
    out += '"';
}

void write_json_value(const value& v, std::string& out) {
    switch (v.kind()) {
    case value_kind::null: out += "null"; return;
    case value_kind::boolean: out += *v.get_if<bool>() ? "true" : "false"; return;
    case value_kind::integer: {
        char buffer[24];
        auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, *v.get_if<std::int64_t>());
        out.append(buffer, end);
        return;
    }
    case value_kind::unsigned_integer: {
        char buffer[24];
        auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, *v.get_if<std::uint64_t>());
        out.append(buffer, end);
        return;
    }
    case value_kind::floating: write_double(*v.get_if<double>(), out); return;
    case value_kind::string: write_json_string(*v.as_string(), out); return;
    case value_kind::binary: {
        // Byte arrays travel as base64 strings in JSON (MSG-093).
        const auto& bytes = v.get_if<binary>()->bytes;
        out += '"';
        append_base64(out, bytes.data(), bytes.size());
        out += '"';
        return;
    }
    case value_kind::extension: {
        const auto& data = v.get_if<extension>()->data;
        out += '"';
        append_base64(out, data.data(), data.size());
        out += '"';
        return;
    }
    case value_kind::array: {
        out += '[';
        bool first = true;
        for (const auto& item : *v.get_if<array>()) {
            if (!first) out += ',';
            first = false;
            write_json_value(item, out);
        }
        out += ']';
        return;
    }
    case value_kind::map: {
        out += '{';
        bool first = true;
        for (const auto& entry : *v.get_if<map>()) {
            if (!first) out += ',';
            first = false;
            write_map_key(entry.key, out);
            out += ':';
            write_json_value(entry.item, out);
        }
        out += '}';
        return;
    }
    }
}

std::string to_json(const value& v) {
    std::string out;
    write_json_value(v, out);
    return out;
}

} // namespace hubspec::protocol
