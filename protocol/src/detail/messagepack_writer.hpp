#pragma once
// A MessagePack writer producing the bytes .NET's MessagePack-CSharp writes: the
// shortest form of every integer (positive fixint, uint8..64 for non-negative,
// negative fixint, int8..64 for negative), the shortest str/bin/array/map header,
// float64 for every double, fixext where the payload size allows. Byte-exact
// output is what lets tests compare against Microsoft's vectors (MSG-008..081).

#include "hubspec/protocol/value.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace hubspec::protocol::detail {

/// Appends MessagePack items to a string. Lengths above 2^32-1 cannot be
/// encoded; callers never get near them (a record is at most 2^31-1 bytes, FRAME-006).
class messagepack_writer {
public:
    explicit messagepack_writer(std::string& out) noexcept : out_(&out) {}

    void write_nil();
    void write_bool(bool b);
    void write_int(std::int64_t i);
    void write_uint(std::uint64_t u);
    void write_double(double d);
    void write_string(std::string_view s);
    void write_binary(std::span<const std::uint8_t> bytes);
    void write_extension(std::int8_t type, std::span<const std::uint8_t> data);
    void write_array_header(std::size_t count);
    void write_map_header(std::size_t count);
    /// Any value, nested items included.
    void write_value(const value& v);

private:
    void put(std::uint8_t byte) { out_->push_back(static_cast<char>(byte)); }
    void put_big_endian(std::uint64_t n, std::size_t width);

    std::string* out_;
};

} // namespace hubspec::protocol::detail
