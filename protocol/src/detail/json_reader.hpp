#pragma once
// A strict, non-throwing JSON reader over one record (RFC 8259, UTF-8 checked).
// The JSON hub protocol walks envelopes with it property by property; values
// become `value`s directly, without an intermediate DOM.

#include "hubspec/protocol/error.hpp"
#include "hubspec/protocol/value.hpp"
#include "hubspec/protocol/value_list.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace hubspec::protocol::detail {

/// Deep enough for any real payload; System.Text.Json's default is 64 too.
inline constexpr int max_json_depth = 64;

class json_reader {
public:
    explicit json_reader(std::string_view text) : text_(text) {}

    // The small steps are inline: they run several times per property.
    void skip_whitespace() noexcept {
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
            ++pos_;
        }
    }
    /// The next non-whitespace byte, or '\0' at the end.
    char peek() noexcept {
        skip_whitespace();
        return pos_ < text_.size() ? text_[pos_] : '\0';
    }
    bool at_end() noexcept {
        skip_whitespace();
        return pos_ >= text_.size();
    }
    /// Consumes `c` (after whitespace) or fails with invalid_json naming it.
    result<void> expect(char c) {
        if (peek() == c) {
            ++pos_;
            return {};
        }
        return unexpected(c);
    }
    /// Consumes `c` if it comes next.
    bool consume_if(char c) noexcept {
        if (peek() != c) return false;
        ++pos_;
        return true;
    }

    result<std::string> read_string();
    /// A string's contents without copying when it has no escapes (property
    /// names, mostly); an escaped one is decoded into `scratch` and viewed there.
    result<std::string_view> read_string_view(std::string& scratch);
    result<value> read_value(int depth = 0);
    /// A JSON array straight into a value list (a message's arguments: no array built and moved).
    result<void> read_array(value_list& out);
    /// Validates and skips one value without building it (unknown properties, MSG-006).
    result<void> skip_value(int depth = 0);

    std::size_t position() const noexcept { return pos_; }
    protocol_error fail(std::string message) const;

private:
    protocol_error unexpected(char wanted) const;
    result<value> read_number();
    /// The items of an array whose '[' is consumed, through the closing ']'.
    template <class List>
    result<void> read_items(List& out, int depth);
    result<void> read_literal(std::string_view literal);
    result<void> append_escape(std::string& out);

    std::string_view text_;
    std::size_t pos_ = 0;
};

} // namespace hubspec::protocol::detail
