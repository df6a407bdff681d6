// Base64 (RFC 4648 §4, §5) as JSON writes binary (MSG-093) and negotiate writes
// connection ids (NEG-012). The encoder has a vector path for long inputs and a
// scalar path for the rest; both are checked against a bit-at-a-time reference.

#include "hubspec/protocol/base64.hpp"

#include "detail/base64_paths.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using namespace hubspec::protocol;

namespace {

// The definition, one bit at a time: slow and obviously right.
std::string reference_base64(const std::vector<std::uint8_t>& bytes, base64_alphabet alphabet, base64_padding padding) {
    const std::string_view chars = alphabet == base64_alphabet::url
                                       ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                                       : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    const std::size_t bits = bytes.size() * 8;
    for (std::size_t at = 0; at < bits; at += 6) {
        unsigned sextet = 0;
        for (std::size_t k = at; k < at + 6; ++k) {
            const unsigned bit = k < bits ? (static_cast<unsigned>(bytes[k / 8]) >> (7 - k % 8)) & 1u : 0u;
            sextet = (sextet << 1) | bit;
        }
        out += chars[sextet];
    }
    if (padding == base64_padding::padded) {
        while (out.size() % 4 != 0)
            out += '=';
    }
    return out;
}

} // namespace

TEST_CASE("MSG-093 base64 of RFC 4648's test vectors", "[base64][MSG-093]") {
    auto encode = [](std::string_view text) { return to_base64(std::vector<std::uint8_t>(text.begin(), text.end())); };
    CHECK(encode("") == "");
    CHECK(encode("f") == "Zg==");
    CHECK(encode("fo") == "Zm8=");
    CHECK(encode("foo") == "Zm9v");
    CHECK(encode("foob") == "Zm9vYg==");
    CHECK(encode("fooba") == "Zm9vYmE=");
    CHECK(encode("foobar") == "Zm9vYmFy");
}

TEST_CASE("MSG-093 base64 of every length up to 200 bytes matches the definition, on every code path",
          "[base64][MSG-093][NEG-012]") {
    std::mt19937 rng(20261207);
    for (const auto path : detail::available_base64_paths()) {
        for (std::size_t length = 0; length <= 200; ++length) {
            std::vector<std::uint8_t> bytes(length);
            for (auto& b : bytes)
                b = static_cast<std::uint8_t>(rng());
            for (auto alphabet : {base64_alphabet::standard, base64_alphabet::url}) {
                for (auto padding : {base64_padding::padded, base64_padding::unpadded}) {
                    std::string out = "prefix";
                    detail::append_base64_using(path, out, bytes.data(), bytes.size(), alphabet, padding);
                    INFO("path " << static_cast<int>(path) << " length " << length);
                    CHECK(out == "prefix" + reference_base64(bytes, alphabet, padding));
                    CHECK(from_base64(std::string_view(out).substr(6)) == bytes);
                }
            }
        }
    }
}

TEST_CASE("MSG-093 base64 covers all 64 characters of each alphabet", "[base64][MSG-093][NEG-012]") {
    // 0x00 0x10 0x83 0x10 0x51 0x87 ... : 48 bytes whose sextets are 0, 1, 2, ..., 63.
    std::vector<std::uint8_t> bytes;
    for (unsigned s = 0; s < 64; s += 4) {
        const std::uint32_t n = (s << 18) | ((s + 1) << 12) | ((s + 2) << 6) | (s + 3);
        bytes.push_back(static_cast<std::uint8_t>(n >> 16));
        bytes.push_back(static_cast<std::uint8_t>(n >> 8));
        bytes.push_back(static_cast<std::uint8_t>(n));
    }
    // Four copies, so that every vector step sees every sextet in every position.
    std::vector<std::uint8_t> repeated;
    for (int copy = 0; copy < 4; ++copy)
        repeated.insert(repeated.end(), bytes.begin(), bytes.end());
    const std::string standard_chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const std::string url_chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (const auto path : detail::available_base64_paths()) {
        INFO("path " << static_cast<int>(path));
        std::string standard, url;
        detail::append_base64_using(path, standard, repeated.data(), repeated.size(), base64_alphabet::standard,
                                    base64_padding::padded);
        detail::append_base64_using(path, url, repeated.data(), repeated.size(), base64_alphabet::url,
                                    base64_padding::padded);
        CHECK(standard == standard_chars + standard_chars + standard_chars + standard_chars);
        CHECK(url == url_chars + url_chars + url_chars + url_chars);
    }
}
