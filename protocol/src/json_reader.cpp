#include "detail/json_reader.hpp"
#include "detail/json_scan.hpp"
#include "detail/utf8.hpp"

#include <charconv>
#include <cstdint>
#include <limits>

namespace hubspec::protocol::detail {

namespace {

constexpr bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

int hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

} // namespace

protocol_error json_reader::fail(std::string message) const {
    return make_protocol_error(error::invalid_json, std::move(message), pos_);
}

protocol_error json_reader::unexpected(char wanted) const {
    if (pos_ >= text_.size()) return fail(std::string("expected '") + wanted + "' but the record ended");
    return fail(std::string("expected '") + wanted + "'");
}

result<void> json_reader::append_escape(std::string& out) {
    // pos_ is just past the backslash.
    if (pos_ >= text_.size()) return fail("unterminated escape");
    const char c = text_[pos_++];
    switch (c) {
    case '"': out += '"'; return {};
    case '\\': out += '\\'; return {};
    case '/': out += '/'; return {};
    case 'b': out += '\b'; return {};
    case 'f': out += '\f'; return {};
    case 'n': out += '\n'; return {};
    case 'r': out += '\r'; return {};
    case 't': out += '\t'; return {};
    case 'u': break;
    default: return fail(std::string("invalid escape '\\") + c + "'");
    }
    auto read_hex4 = [this]() -> std::int32_t {
        if (pos_ + 4 > text_.size()) return -1;
        std::int32_t cp = 0;
        for (int k = 0; k < 4; ++k) {
            const int d = hex_digit(text_[pos_ + static_cast<std::size_t>(k)]);
            if (d < 0) return -1;
            cp = cp * 16 + d;
        }
        pos_ += 4;
        return cp;
    };
    const std::int32_t first = read_hex4();
    if (first < 0) return fail("invalid \\u escape");
    auto cp = static_cast<std::uint32_t>(first);
    if (cp >= 0xDC00 && cp <= 0xDFFF) return fail("lone low surrogate in \\u escape");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (pos_ + 2 > text_.size() || text_[pos_] != '\\' || text_[pos_ + 1] != 'u') {
            return fail("high surrogate not followed by a low surrogate");
        }
        pos_ += 2;
        const std::int32_t second = read_hex4();
        if (second < 0xDC00 || second > 0xDFFF) return fail("high surrogate not followed by a low surrogate");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (static_cast<std::uint32_t>(second) - 0xDC00);
    }
    append_utf8(out, cp);
    return {};
}

result<std::string> json_reader::read_string() {
    if (auto r = expect('"'); !r) return r.error();
    std::string out;
    std::size_t run_start = pos_;
    while (true) {
        pos_ = skip_plain_ascii(text_, pos_);
        if (pos_ >= text_.size()) return fail("unterminated string");
        const auto c = static_cast<unsigned char>(text_[pos_]);
        if (c == '"') {
            out.append(text_.substr(run_start, pos_ - run_start));
            ++pos_;
            return out;
        }
        if (c == '\\') {
            out.append(text_.substr(run_start, pos_ - run_start));
            ++pos_;
            if (auto r = append_escape(out); !r) return r.error();
            run_start = pos_;
        } else if (c < 0x20) {
            return fail("unescaped control character in string");
        } else {
            std::uint32_t code_point = 0;
            const auto n = decode_utf8(text_, pos_, code_point);
            if (n == 0) return fail("invalid UTF-8 in string");
            pos_ += n;
        }
    }
}

result<std::string_view> json_reader::read_string_view(std::string& scratch) {
    const std::size_t quote = pos_;
    if (auto r = expect('"'); !r) return r.error();
    const std::size_t start = pos_;
    while ((pos_ = skip_plain_ascii(text_, pos_)) < text_.size()) {
        const auto c = static_cast<unsigned char>(text_[pos_]);
        if (c == '"') return text_.substr(start, pos_++ - start);
        if (c == '\\' || c < 0x20) break; // escapes and errors take the general path
        if (c < 0x80) {
            ++pos_;
            continue;
        }
        std::uint32_t code_point = 0;
        const auto n = decode_utf8(text_, pos_, code_point);
        if (n == 0) return fail("invalid UTF-8 in string");
        pos_ += n;
    }
    pos_ = quote;
    auto decoded = read_string();
    if (!decoded) return decoded.error();
    scratch = std::move(*decoded);
    return std::string_view(scratch);
}

result<void> json_reader::read_literal(std::string_view literal) {
    if (text_.substr(pos_, literal.size()) != literal) return fail("invalid literal");
    pos_ += literal.size();
    return {};
}

result<value> json_reader::read_number() {
    const std::size_t start = pos_;
    bool is_integer = true;
    if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
    if (pos_ >= text_.size() || !is_digit(text_[pos_])) return fail("invalid number");
    if (text_[pos_] == '0') {
        ++pos_;
    } else {
        while (pos_ < text_.size() && is_digit(text_[pos_]))
            ++pos_;
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
        is_integer = false;
        ++pos_;
        if (pos_ >= text_.size() || !is_digit(text_[pos_])) return fail("invalid number: digits must follow '.'");
        while (pos_ < text_.size() && is_digit(text_[pos_]))
            ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
        is_integer = false;
        ++pos_;
        if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
        if (pos_ >= text_.size() || !is_digit(text_[pos_]))
            return fail("invalid number: digits must follow the exponent");
        while (pos_ < text_.size() && is_digit(text_[pos_]))
            ++pos_;
    }
    const char* first = text_.data() + start;
    const char* last = text_.data() + pos_;
    if (is_integer) {
        std::int64_t i = 0;
        if (auto [p, ec] = std::from_chars(first, last, i); ec == std::errc() && p == last) return value(i);
        std::uint64_t u = 0;
        if (auto [p, ec] = std::from_chars(first, last, u); ec == std::errc() && p == last) return value(u);
    }
    double d = 0;
    auto [p, ec] = std::from_chars(first, last, d);
    if (ec == std::errc::result_out_of_range) {
        return fail("number out of range");
    }
    if (ec != std::errc() || p != last) return fail("invalid number");
    return value(d);
}

template <class List>
result<void> json_reader::read_items(List& out, int depth) {
    if (consume_if(']')) return {};
    // The count is unknown until ']': start at four (most argument lists; inline in a
    // value_list), not at one, so that a short array costs one allocation, not three.
    out.reserve(4);
    do {
        auto item = read_value(depth + 1);
        if (!item) return item.error();
        out.push_back(std::move(*item));
    } while (consume_if(','));
    return expect(']');
}

result<void> json_reader::read_array(value_list& out) {
    if (auto r = expect('['); !r) return r;
    return read_items(out, 0);
}

result<value> json_reader::read_value(int depth) {
    if (depth > max_json_depth) {
        return make_protocol_error(error::nesting_too_deep, "JSON nested deeper than 64 levels", pos_);
    }
    switch (peek()) {
    case '"': {
        auto s = read_string();
        if (!s) return s.error();
        return value(std::move(*s));
    }
    case '{': {
        ++pos_;
        map entries;
        if (consume_if('}')) return value(std::move(entries));
        do {
            auto key = read_string();
            if (!key) return key.error();
            if (auto r = expect(':'); !r) return r.error();
            auto item = read_value(depth + 1);
            if (!item) return item.error();
            entries.push_back({value(std::move(*key)), std::move(*item)});
        } while (consume_if(','));
        if (auto r = expect('}'); !r) return r.error();
        return value(std::move(entries));
    }
    case '[': {
        ++pos_;
        array items;
        if (auto r = read_items(items, depth); !r) return r.error();
        return value(std::move(items));
    }
    case 't':
        if (auto r = read_literal("true"); !r) return r.error();
        return value(true);
    case 'f':
        if (auto r = read_literal("false"); !r) return r.error();
        return value(false);
    case 'n':
        if (auto r = read_literal("null"); !r) return r.error();
        return value(nullptr);
    case '\0':
        if (pos_ >= text_.size()) return fail("expected a value but the record ended");
        return fail("unexpected character");
    default:
        if (text_[pos_] == '-' || is_digit(text_[pos_])) return read_number();
        return fail("unexpected character");
    }
}

result<void> json_reader::skip_value(int depth) {
    // Same grammar as read_value; building the value is cheap next to the
    // rarity of unknown properties, so validity is checked by one code path.
    auto v = read_value(depth);
    if (!v) return v.error();
    return {};
}

} // namespace hubspec::protocol::detail
