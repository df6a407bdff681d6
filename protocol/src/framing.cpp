#include "hubspec/protocol/framing.hpp"

#include "hubspec/protocol/texts.hpp"

#include <string>

namespace hubspec::protocol {

result<record_view> next_json_record(std::string_view input, std::size_t max_size) {
    const auto end = input.find(record_separator);
    if (end == std::string_view::npos) {
        // Refuse early: a record whose RS has not come yet already cannot fit.
        if (max_size != no_size_limit && input.size() >= max_size) {
            return make_protocol_error(error::record_too_large, texts::maximum_message_size_exceeded(max_size));
        }
        return make_protocol_error(error::need_more);
    }
    if (max_size != no_size_limit && end + 1 > max_size) {
        return make_protocol_error(error::record_too_large, texts::maximum_message_size_exceeded(max_size));
    }
    if (end == 0) return make_protocol_error(error::empty_record, "empty JSON record (a record separator alone)");
    return record_view{input.substr(0, end), end + 1};
}

result<varint_view> read_varint(std::string_view input) {
    std::uint64_t length = 0;
    for (std::size_t i = 0; i < 5; ++i) {
        if (i >= input.size()) return make_protocol_error(error::need_more);
        const auto byte = static_cast<std::uint8_t>(input[i]);
        length |= std::uint64_t{byte & 0x7Fu} << (7 * i);
        if ((byte & 0x80u) == 0) {
            if (length > max_varint_value) {
                return make_protocol_error(error::varint_too_long, std::string(texts::messages_over_2gb));
            }
            return varint_view{static_cast<std::uint32_t>(length), i + 1};
        }
    }
    return make_protocol_error(error::varint_too_long, std::string(texts::messages_over_2gb));
}

result<record_view> next_binary_record(std::string_view input, std::size_t max_size) {
    auto prefix = read_varint(input);
    if (!prefix) return prefix.error();
    const std::size_t total = prefix->length + std::size_t{prefix->value};
    // Checked as soon as the prefix is known, before any body bytes are buffered.
    if (max_size != no_size_limit && total > max_size) {
        return make_protocol_error(error::record_too_large, texts::maximum_message_size_exceeded(max_size));
    }
    if (prefix->value == 0) return make_protocol_error(error::empty_record, "zero-length MessagePack record");
    if (input.size() < total) return make_protocol_error(error::need_more);
    return record_view{input.substr(prefix->length, prefix->value), total};
}

void append_varint(std::string& out, std::uint32_t n) {
    do {
        auto byte = static_cast<std::uint8_t>(n & 0x7Fu);
        n >>= 7;
        if (n != 0) byte |= 0x80u;
        out.push_back(static_cast<char>(byte));
    } while (n != 0);
}

std::size_t varint_size(std::uint32_t n) noexcept {
    std::size_t size = 1;
    while (n >= 0x80u) {
        n >>= 7;
        ++size;
    }
    return size;
}

} // namespace hubspec::protocol
