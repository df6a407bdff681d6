#pragma once
// The JSON string fast path: most string bytes need no attention, so find the
// next one that does ('"', '\\', a control character or a non-ASCII byte)
// sixteen bytes at a time with SSE2 (part of every x86-64), else eight at a time.

#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace hubspec::protocol::detail {

constexpr bool needs_attention(unsigned char c) noexcept {
    return c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
}

/// Index of the first byte at or after `at` that needs attention, or s.size().
inline std::size_t skip_plain_ascii(std::string_view s, std::size_t at) noexcept {
#if defined(__SSE2__)
    // As signed bytes, control characters and non-ASCII bytes are exactly those below 0x20.
    const __m128i space = _mm_set1_epi8(0x20);
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    auto alarm_at = [&](std::size_t i) {
        const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
        return _mm_or_si128(_mm_cmplt_epi8(chunk, space),
                            _mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)));
    };
    // Long runs: 32 bytes a step, one branch for both halves.
    while (at + 32 <= s.size() && _mm_movemask_epi8(_mm_or_si128(alarm_at(at), alarm_at(at + 16))) == 0)
        at += 32;
    while (at + 16 <= s.size()) {
        if (const int bits = _mm_movemask_epi8(alarm_at(at)); bits != 0)
            return at + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(bits)));
        at += 16;
    }
#endif
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
