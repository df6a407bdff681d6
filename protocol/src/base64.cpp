#include "hubspec/protocol/base64.hpp"

#include "detail/base64_paths.hpp"

#include <array>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

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

namespace {

// Scalar: three bytes become four characters.
char* encode_groups_scalar(const std::uint8_t* data, std::size_t groups, const char* chars, char* p) noexcept {
    for (std::size_t g = 0; g < groups; ++g, data += 3) {
        const std::uint32_t n = (std::uint32_t{data[0]} << 16) | (std::uint32_t{data[1]} << 8) | data[2];
        p[0] = chars[(n >> 18) & 63];
        p[1] = chars[(n >> 12) & 63];
        p[2] = chars[(n >> 6) & 63];
        p[3] = chars[n & 63];
        p += 4;
    }
    return p;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HUBSPEC_BASE64_VECTOR 1

// Vector steps: twelve bytes become sixteen characters per 128-bit lane. Each
// 32-bit lane takes one three-byte group a b c, shuffled to the bytes [b a c b],
// so that its low word is ab and its high word bc (big-endian halves). Two masks
// and two 16-bit multiplies move the four sextets into the four bytes of the lane,
// in output order; an offset table indexed by the range each sextet falls in
// (A-Z, a-z, 0-9, the 62nd, the 63rd) turns sextets into characters.
struct base64_constants {
    char shuffle[16];
    char offsets[16];
};

constexpr char offset_62(base64_alphabet a) {
    return a == base64_alphabet::url ? '-' - 62 : '+' - 62;
}
constexpr char offset_63(base64_alphabet a) {
    return a == base64_alphabet::url ? '_' - 63 : '/' - 63;
}
// Offset by range: 0 is a-z (26..51), 1..10 are 0-9, 11 and 12 the last two, 13 is A-Z.
constexpr base64_constants make_constants(base64_alphabet a) {
    return {{1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10},
            {'a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
             '0' - 52, offset_62(a), offset_63(a), 'A', 0, 0}};
}
constexpr base64_constants standard_constants = make_constants(base64_alphabet::standard);
constexpr base64_constants url_constants = make_constants(base64_alphabet::url);

__attribute__((target("ssse3"))) __m128i sextets_to_chars_128(__m128i in, __m128i offsets) noexcept {
    const __m128i high = _mm_mulhi_epu16(_mm_and_si128(in, _mm_set1_epi32(0x0FC0FC00)), _mm_set1_epi32(0x04000040));
    const __m128i low = _mm_mullo_epi16(_mm_and_si128(in, _mm_set1_epi32(0x003F03F0)), _mm_set1_epi32(0x01000010));
    const __m128i sextets = _mm_or_si128(high, low);
    __m128i range = _mm_subs_epu8(sextets, _mm_set1_epi8(51));
    range = _mm_or_si128(range, _mm_and_si128(_mm_cmpgt_epi8(_mm_set1_epi8(26), sextets), _mm_set1_epi8(13)));
    return _mm_add_epi8(sextets, _mm_shuffle_epi8(offsets, range));
}

__attribute__((target("avx2"))) __m256i sextets_to_chars_256(__m256i in, __m256i offsets) noexcept {
    const __m256i high =
        _mm256_mulhi_epu16(_mm256_and_si256(in, _mm256_set1_epi32(0x0FC0FC00)), _mm256_set1_epi32(0x04000040));
    const __m256i low =
        _mm256_mullo_epi16(_mm256_and_si256(in, _mm256_set1_epi32(0x003F03F0)), _mm256_set1_epi32(0x01000010));
    const __m256i sextets = _mm256_or_si256(high, low);
    __m256i range = _mm256_subs_epu8(sextets, _mm256_set1_epi8(51));
    range = _mm256_or_si256(range,
                            _mm256_and_si256(_mm256_cmpgt_epi8(_mm256_set1_epi8(26), sextets), _mm256_set1_epi8(13)));
    return _mm256_add_epi8(sextets, _mm256_shuffle_epi8(offsets, range));
}

// Returns the bytes consumed (a multiple of 12); sixteen bytes are loaded for twelve used.
__attribute__((target("ssse3"))) std::size_t encode_ssse3(const std::uint8_t* data, std::size_t size,
                                                          const base64_constants& k, char*& out) noexcept {
    const __m128i shuffle = _mm_loadu_si128(reinterpret_cast<const __m128i*>(k.shuffle));
    const __m128i offsets = _mm_loadu_si128(reinterpret_cast<const __m128i*>(k.offsets));
    std::size_t i = 0;
    for (; i + 16 <= size; i += 12, out += 16) {
        const __m128i in = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i)), shuffle);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out), sextets_to_chars_128(in, offsets));
    }
    return i;
}

// Twenty-four bytes a step, twelve per lane (two loads: pshufb stays within a lane).
__attribute__((target("avx2"))) std::size_t encode_avx2(const std::uint8_t* data, std::size_t size,
                                                        const base64_constants& k, char*& out) noexcept {
    const __m256i shuffle = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(k.shuffle)));
    const __m256i offsets = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(k.offsets)));
    std::size_t i = 0;
    for (; i + 28 <= size; i += 24, out += 32) {
        const __m128i first = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
        const __m128i second = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i + 12));
        const __m256i in =
            _mm256_shuffle_epi8(_mm256_inserti128_si256(_mm256_castsi128_si256(first), second, 1), shuffle);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), sextets_to_chars_256(in, offsets));
    }
    return i;
}

// Forty-eight bytes a step: one byte permute puts each group a b c in a 32-bit lane
// as c b a, so the lane holds the 24 bits in order; a multishift picks the four
// sextets of each lane (the permute below ignores the top two bits of every
// byte), and a second permute looks all 64 characters up at once.
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) std::size_t
encode_avx512vbmi(const std::uint8_t* data, std::size_t size, const char* chars, char*& out) noexcept {
    alignas(64) std::uint8_t gather[64];
    alignas(64) std::uint8_t shifts[64];
    for (std::size_t g = 0; g < 16; ++g) {
        gather[4 * g] = static_cast<std::uint8_t>(3 * g + 2);
        gather[4 * g + 1] = static_cast<std::uint8_t>(3 * g + 1);
        gather[4 * g + 2] = static_cast<std::uint8_t>(3 * g);
        gather[4 * g + 3] = static_cast<std::uint8_t>(3 * g);
        const auto lane = static_cast<std::uint8_t>(g % 2 * 32); // two lanes to a 64-bit element
        shifts[4 * g] = static_cast<std::uint8_t>(lane + 18);
        shifts[4 * g + 1] = static_cast<std::uint8_t>(lane + 12);
        shifts[4 * g + 2] = static_cast<std::uint8_t>(lane + 6);
        shifts[4 * g + 3] = lane;
    }
    const __m512i gather_v = _mm512_load_si512(gather);
    const __m512i shifts_v = _mm512_load_si512(shifts);
    const __m512i table = _mm512_loadu_si512(chars);
    // The zero-masking forms: GCC 12 warns that the plain ones read an undefined register (GCC bug 105593).
    const __mmask64 all = ~__mmask64{0};
    std::size_t i = 0;
    for (; i + 64 <= size; i += 48, out += 64) {
        const __m512i in = _mm512_maskz_permutexvar_epi8(all, gather_v, _mm512_loadu_si512(data + i));
        const __m512i sextets = _mm512_maskz_multishift_epi64_epi8(all, shifts_v, in);
        _mm512_storeu_si512(out, _mm512_maskz_permutexvar_epi8(all, sextets, table));
    }
    return i;
}

bool cpu_has(detail::base64_path path) noexcept {
    switch (path) {
    case detail::base64_path::scalar: return true;
    case detail::base64_path::ssse3: return __builtin_cpu_supports("ssse3") != 0;
    case detail::base64_path::avx2: return __builtin_cpu_supports("avx2") != 0;
    case detail::base64_path::avx512vbmi:
        return __builtin_cpu_supports("avx512f") != 0 && __builtin_cpu_supports("avx512bw") != 0 &&
               __builtin_cpu_supports("avx512vbmi") != 0;
    }
    return false;
}
#endif

detail::base64_path best_path() noexcept {
    static const detail::base64_path path = [] {
        auto best = detail::base64_path::scalar;
#ifdef HUBSPEC_BASE64_VECTOR
        for (auto p : {detail::base64_path::ssse3, detail::base64_path::avx2, detail::base64_path::avx512vbmi}) {
            if (cpu_has(p)) best = p;
        }
#endif
        return best;
    }();
    return path;
}

} // namespace

namespace detail {

std::vector<base64_path> available_base64_paths() {
    std::vector<base64_path> paths{base64_path::scalar};
#ifdef HUBSPEC_BASE64_VECTOR
    for (auto p : {base64_path::ssse3, base64_path::avx2, base64_path::avx512vbmi}) {
        if (cpu_has(p)) paths.push_back(p);
    }
#endif
    return paths;
}

void append_base64_using(base64_path path, std::string& out, const std::uint8_t* data, std::size_t size,
                         base64_alphabet alphabet, base64_padding padding) {
    const char* chars = (alphabet == base64_alphabet::url ? url_chars : standard_chars).data();
    const std::size_t rest = size % 3;
    std::size_t length = size / 3 * 4;
    if (rest != 0) length += padding == base64_padding::padded ? 4 : rest + 1;
    // Size once and write through a pointer: per-character appends dominate large payloads.
    const std::size_t start = out.size();
    out.resize(start + length);
    char* p = out.data() + start;
    std::size_t i = 0;
#ifdef HUBSPEC_BASE64_VECTOR
    // Each path consumes what it can in whole steps and leaves the tail to the next narrower one.
    const auto& k = alphabet == base64_alphabet::url ? url_constants : standard_constants;
    switch (path) {
    case base64_path::avx512vbmi: i = encode_avx512vbmi(data, size, chars, p); [[fallthrough]];
    case base64_path::avx2: i += encode_avx2(data + i, size - i, k, p); [[fallthrough]];
    case base64_path::ssse3: i += encode_ssse3(data + i, size - i, k, p); break;
    case base64_path::scalar: break;
    }
#else
    (void)path;
#endif
    p = encode_groups_scalar(data + i, (size - i) / 3, chars, p);
    i = size - rest;
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

} // namespace detail

void append_base64(std::string& out, const std::uint8_t* data, std::size_t size, base64_alphabet alphabet,
                   base64_padding padding) {
    // Short inputs (connection ids) stay scalar: no vector step would fit.
    append_base64_using(size >= 16 ? best_path() : detail::base64_path::scalar, out, data, size, alphabet, padding);
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
