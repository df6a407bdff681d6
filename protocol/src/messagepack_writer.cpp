#include "detail/messagepack_writer.hpp"

#include <bit>
#include <limits>
#include <type_traits>
#include <variant>

namespace hubspec::protocol::detail {

void messagepack_writer::put_big_endian(std::uint64_t n, std::size_t width) {
    for (std::size_t k = width; k-- > 0;)
        put(static_cast<std::uint8_t>(n >> (8 * k)));
}

void messagepack_writer::write_nil() {
    put(0xC0);
}

void messagepack_writer::write_bool(bool b) {
    put(b ? 0xC3 : 0xC2);
}

void messagepack_writer::write_uint(std::uint64_t u) {
    if (u <= 0x7F) {
        put(static_cast<std::uint8_t>(u));
    } else if (u <= 0xFF) {
        put(0xCC);
        put_big_endian(u, 1);
    } else if (u <= 0xFFFF) {
        put(0xCD);
        put_big_endian(u, 2);
    } else if (u <= 0xFFFF'FFFF) {
        put(0xCE);
        put_big_endian(u, 4);
    } else {
        put(0xCF);
        put_big_endian(u, 8);
    }
}

void messagepack_writer::write_int(std::int64_t i) {
    // Non-negative values take the unsigned forms, as MessagePack-CSharp writes them.
    if (i >= 0) return write_uint(static_cast<std::uint64_t>(i));
    const auto bits = static_cast<std::uint64_t>(i);
    if (i >= -32) {
        put(static_cast<std::uint8_t>(bits));
    } else if (i >= std::numeric_limits<std::int8_t>::min()) {
        put(0xD0);
        put_big_endian(bits, 1);
    } else if (i >= std::numeric_limits<std::int16_t>::min()) {
        put(0xD1);
        put_big_endian(bits, 2);
    } else if (i >= std::numeric_limits<std::int32_t>::min()) {
        put(0xD2);
        put_big_endian(bits, 4);
    } else {
        put(0xD3);
        put_big_endian(bits, 8);
    }
}

void messagepack_writer::write_double(double d) {
    put(0xCB);
    put_big_endian(std::bit_cast<std::uint64_t>(d), 8);
}

void messagepack_writer::write_string(std::string_view s) {
    const std::size_t n = s.size();
    if (n <= 31) {
        put(static_cast<std::uint8_t>(0xA0 | n));
    } else if (n <= 0xFF) {
        put(0xD9);
        put_big_endian(n, 1);
    } else if (n <= 0xFFFF) {
        put(0xDA);
        put_big_endian(n, 2);
    } else {
        put(0xDB);
        put_big_endian(n, 4);
    }
    out_->append(s);
}

void messagepack_writer::write_binary(std::span<const std::uint8_t> bytes) {
    const std::size_t n = bytes.size();
    if (n <= 0xFF) {
        put(0xC4);
        put_big_endian(n, 1);
    } else if (n <= 0xFFFF) {
        put(0xC5);
        put_big_endian(n, 2);
    } else {
        put(0xC6);
        put_big_endian(n, 4);
    }
    out_->append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

void messagepack_writer::write_extension(std::int8_t type, std::span<const std::uint8_t> data) {
    const std::size_t n = data.size();
    switch (n) {
    case 1: put(0xD4); break;
    case 2: put(0xD5); break;
    case 4: put(0xD6); break;
    case 8: put(0xD7); break;
    case 16: put(0xD8); break;
    default:
        if (n <= 0xFF) {
            put(0xC7);
            put_big_endian(n, 1);
        } else if (n <= 0xFFFF) {
            put(0xC8);
            put_big_endian(n, 2);
        } else {
            put(0xC9);
            put_big_endian(n, 4);
        }
    }
    put(static_cast<std::uint8_t>(type));
    out_->append(reinterpret_cast<const char*>(data.data()), data.size());
}

void messagepack_writer::write_array_header(std::size_t count) {
    if (count <= 15) {
        put(static_cast<std::uint8_t>(0x90 | count));
    } else if (count <= 0xFFFF) {
        put(0xDC);
        put_big_endian(count, 2);
    } else {
        put(0xDD);
        put_big_endian(count, 4);
    }
}

void messagepack_writer::write_map_header(std::size_t count) {
    if (count <= 15) {
        put(static_cast<std::uint8_t>(0x80 | count));
    } else if (count <= 0xFFFF) {
        put(0xDE);
        put_big_endian(count, 2);
    } else {
        put(0xDF);
        put_big_endian(count, 4);
    }
}

void messagepack_writer::write_value(const value& v) {
    std::visit(
        [this](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::nullptr_t>) {
                write_nil();
            } else if constexpr (std::is_same_v<T, bool>) {
                write_bool(x);
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                write_int(x);
            } else if constexpr (std::is_same_v<T, std::uint64_t>) {
                write_uint(x);
            } else if constexpr (std::is_same_v<T, double>) {
                write_double(x);
            } else if constexpr (std::is_same_v<T, std::string>) {
                write_string(x);
            } else if constexpr (std::is_same_v<T, binary>) {
                write_binary(x.bytes);
            } else if constexpr (std::is_same_v<T, array>) {
                write_array_header(x.size());
                for (const value& item : x)
                    write_value(item);
            } else if constexpr (std::is_same_v<T, map>) {
                write_map_header(x.size());
                for (const map_entry& entry : x) {
                    write_value(entry.key);
                    write_value(entry.item);
                }
            } else {
                static_assert(std::is_same_v<T, extension>);
                write_extension(x.type, x.data);
            }
        },
        v.raw());
}

} // namespace hubspec::protocol::detail
