#pragma once
// The JSON string fast path: most string bytes need no attention, so find the
// next one that does ('"', '\\', a control character or a non-ASCII byte)
// eight bytes at a time.

#include <cstdint>
#include <cstring>
#include <string_view>

namespace hubspec::protocol::detail {

constexpr bool needs_attention(unsigned char c) noexcept {
    return c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
}

/// Index of the first byte at or after `at` that needs attention, or s.size().
inline std::size_t skip_plain_ascii(std::string_view s, std::size_t at) noexcept {
    constexpr std::uint64_t ones = 0x0101'0101'0101'0101ULL;
    constexpr std::uint64_t highs = 0x8080'8080'8080'8080ULL;
    // A zero byte of x sets its high bit in (x - ones) & ~x; borrows only cause
    // false alarms, which the byte check below clears.
    auto has_zero_byte = [](std::uint64_t x) { return (x - ones) & ~x & highs; };
    while (at + 8 <= s.size()) {
        std::uint64_t word;
        std::memcpy(&word, s.data() + at, sizeof word);
        const std::uint64_t alarm = ((word - ones * 0x20) & ~word & highs) | has_zero_byte(word ^ (ones * '"')) |
                                    has_zero_byte(word ^ (ones * '\\')) | (word & highs);
        if (alarm != 0) {
            for (std::size_t k = 0; k < 8; ++k) {
                if (needs_attention(static_cast<unsigned char>(s[at + k]))) return at + k;
            }
        }
        at += 8;
    }
    while (at < s.size() && !needs_attention(static_cast<unsigned char>(s[at])))
        ++at;
    return at;
}

} // namespace hubspec::protocol::detail
