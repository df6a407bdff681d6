#pragma once
// Helpers shared by the protocol tests: hex vectors and split-at-every-byte feeding.

#include "hubspec/protocol/error.hpp"
#include "hubspec/protocol/hex.hpp"

#include <catch2/catch.hpp>

#include <cctype>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hubspec::protocol::test {

/// "7B 7D 1E" -> the bytes, as test-vectors.md writes them; a typo in a vector fails loudly.
inline std::string from_hex(std::string_view hex) {
    auto bytes = protocol::parse_hex(hex);
    if (!bytes) throw std::invalid_argument("not hex: " + std::string(hex));
    return *bytes;
}

using protocol::to_hex;

/// Calls `feed_all` with `input` cut into chunks: whole, split at every byte
/// position into two, and one byte at a time (Beast's parsegrind). Each call gets
/// a fresh list of chunks that together make `input`.
inline void for_each_split(std::string_view input,
                           const std::function<void(const std::vector<std::string_view>&)>& feed_all) {
    feed_all({input});
    for (std::size_t cut = 1; cut < input.size(); ++cut)
        feed_all({input.substr(0, cut), input.substr(cut)});
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < input.size(); ++i)
        bytes.push_back(input.substr(i, 1));
    if (input.size() > 1) feed_all(bytes);
}

} // namespace hubspec::protocol::test

namespace Catch {
/// Catch would print a result<T> through Boost's operator<<, which needs T
/// printable; show the error instead, which is what a failing check needs.
template <class T>
struct StringMaker<boost::system::result<T, hubspec::protocol::protocol_error>> {
    static std::string convert(const boost::system::result<T, hubspec::protocol::protocol_error>& r) {
        return r.has_value() ? std::string("ok") : "error: " + r.error().to_string();
    }
};
} // namespace Catch
