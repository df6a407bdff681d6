#include "hubspec/protocol/base64.hpp"

#include <array>

namespace hubspec::protocol {

namespace {

constexpr std::string_view standard_chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view url_chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<std::int8_t, 256> make_decode_table() {
    std::array<std::int8_t, 256> table{};
    for (auto& t : table)
        t = -1;
    for (std::size_t i = 0; i < 64; ++i) {
        table[static_cast<unsigned char>(standard_chars[i])] = static_cast<std::int8_t>(i);
        table[static_cast<unsigned char>(url_chars[i])] = static_cast<std::int8_t>(i);
    }
    return table;
}

constexpr auto decode_table = make_decode_table();

} // namespace

void append_base64(std::string& out, const std::uint8_t* data, std::size_t size, base64_alphabet alphabet,
                   base64_padding padding) {
    const std::string_view chars = alphabet == base64_alphabet::url ? url_chars : standard_chars;
    const std::size_t rest = size % 3;
    std::size_t length = size / 3 * 4;
    if (rest != 0) length += padding == base64_padding::padded ? 4 : rest + 1;
    // Size once and write through a pointer: per-character appends dominate large payloads.
    const std::size_t start = out.size();
    out.resize(start + length);
    char* p = out.data() + start;
    std::size_t i = 0;
    for (; i + 3 <= size; i += 3) {
        const std::uint32_t n = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) | data[i + 2];
        *p++ = chars[(n >> 18) & 63];
        *p++ = chars[(n >> 12) & 63];
        *p++ = chars[(n >> 6) & 63];
        *p++ = chars[n & 63];
    }
    if (rest == 0) return;
    std::uint32_t n = std::uint32_t{data[i]} << 16;
    if (rest == 2) n |= std::uint32_t{data[i + 1]} << 8;
    *p++ = chars[(n >> 18) & 63];
    *p++ = chars[(n >> 12) & 63];
    if (rest == 2) *p++ = chars[(n >> 6) & 63];
    if (padding == base64_padding::padded) {
        *p++ = '=';
        if (rest == 1) *p = '=';
    }
}

std::string to_base64(const std::vector<std::uint8_t>& bytes) {
    std::string out;
    append_base64(out, bytes.data(), bytes.size());
    return out;
}

std::optional<std::vector<std::uint8_t>> from_base64(std::string_view text) {
    while (!text.empty() && text.back() == '=')
        text.remove_suffix(1);
    if (text.size() % 4 == 1) return std::nullopt;
    std::vector<std::uint8_t> out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t accumulator = 0;
    int bits = 0;
    for (char c : text) {
        const auto d = decode_table[static_cast<unsigned char>(c)];
        if (d < 0) return std::nullopt;
        accumulator = (accumulator << 6) | static_cast<std::uint32_t>(d);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>((accumulator >> bits) & 0xFF));
        }
    }
    return out;
}

} // namespace hubspec::protocol
