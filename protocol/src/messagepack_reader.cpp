#include "detail/messagepack_reader.hpp"
#include "detail/utf8.hpp"

#include <bit>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace hubspec::protocol::detail {

namespace {

// A length past the end of a framed body means the body lies about itself (FRAME-005).
constexpr std::string_view truncated_requirement = "FRAME-005";
constexpr std::string_view malformed_requirement = "MSG-009";

protocol_error truncated_error(std::string_view what, std::size_t offset, std::uint64_t declared, std::string_view unit,
                               std::size_t remaining) {
    return make_protocol_error(error::truncated,
                               std::string(what) + " at byte " + std::to_string(offset) + " declares " +
                                   std::to_string(declared) + " " + std::string(unit) + " but only " +
                                   std::to_string(remaining) + " bytes remain",
                               offset, truncated_requirement);
}

std::vector<std::uint8_t> to_bytes(std::string_view s) {
    const auto* first = reinterpret_cast<const std::uint8_t*>(s.data());
    return std::vector<std::uint8_t>(first, first + s.size());
}

} // namespace

result<messagepack_head> messagepack_reader::read_head() {
    messagepack_head head;
    head.offset = pos_;
    if (at_end()) {
        return make_protocol_error(error::truncated,
                                   "expected a MessagePack item at byte " + std::to_string(pos_) +
                                       ", found the end of the message",
                                   pos_, truncated_requirement);
    }
    const auto lead = static_cast<unsigned char>(input_[pos_++]);

    // Reads `n` big-endian bytes; false if fewer remain.
    auto take = [this](std::size_t n, std::uint64_t& out) {
        if (remaining() < n) return false;
        out = 0;
        for (std::size_t k = 0; k < n; ++k)
            out = (out << 8) | static_cast<unsigned char>(input_[pos_ + k]);
        pos_ += n;
        return true;
    };
    auto short_head = [&](std::string_view what, std::size_t need) {
        return truncated_error(what, head.offset, need, "header bytes", remaining());
    };
    auto set_unsigned = [&head](std::uint64_t u) {
        if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            head.kind = value_kind::integer;
            head.integer = static_cast<std::int64_t>(u);
        } else {
            head.kind = value_kind::unsigned_integer;
            head.unsigned_integer = u;
        }
    };
    // Payload bytes of str, bin and ext, checked before anything is copied.
    auto payload = [&](std::string_view what, std::uint64_t length) -> result<void> {
        if (length > remaining()) return truncated_error(what, head.offset, length, "bytes", remaining());
        head.bytes = input_.substr(pos_, static_cast<std::size_t>(length));
        pos_ += static_cast<std::size_t>(length);
        return {};
    };
    auto string_payload = [&](std::string_view what, std::uint64_t length) -> result<void> {
        head.kind = value_kind::string;
        if (auto r = payload(what, length); !r) return r;
        if (!is_valid_utf8(head.bytes)) {
            return make_protocol_error(error::invalid_messagepack,
                                       std::string(what) + " at byte " + std::to_string(head.offset) +
                                           " is not valid UTF-8",
                                       head.offset, malformed_requirement);
        }
        return {};
    };
    // Each array item takes at least one byte and each map entry two: a count the
    // remaining bytes cannot hold fails here, before any container is built.
    auto container = [&](value_kind kind, std::string_view what, std::uint64_t count) -> result<void> {
        head.kind = kind;
        const std::uint64_t per_item = kind == value_kind::map ? 2 : 1;
        if (count > remaining() / per_item) {
            return truncated_error(what, head.offset, count, kind == value_kind::map ? "entries" : "items",
                                   remaining());
        }
        head.count = static_cast<std::size_t>(count);
        return {};
    };
    auto extension_payload = [&](std::string_view what, std::uint64_t length) -> result<void> {
        head.kind = value_kind::extension;
        std::uint64_t type = 0;
        if (!take(1, type)) return short_head(what, 1);
        head.extension_type = static_cast<std::int8_t>(static_cast<std::uint8_t>(type));
        return payload(what, length);
    };

    if (lead <= 0x7F) {
        head.kind = value_kind::integer;
        head.integer = lead;
        return head;
    }
    if (lead >= 0xE0) {
        head.kind = value_kind::integer;
        head.integer = static_cast<std::int8_t>(lead);
        return head;
    }
    if (lead <= 0x8F) {
        if (auto r = container(value_kind::map, "fixmap", lead & 0x0Fu); !r) return r.error();
        return head;
    }
    if (lead <= 0x9F) {
        if (auto r = container(value_kind::array, "fixarray", lead & 0x0Fu); !r) return r.error();
        return head;
    }
    if (lead <= 0xBF) {
        if (auto r = string_payload("fixstr", lead & 0x1Fu); !r) return r.error();
        return head;
    }

    std::uint64_t n = 0;
    result<void> step;
    switch (lead) {
    case 0xC0: head.kind = value_kind::null; return head;
    case 0xC1:
        return make_protocol_error(error::invalid_messagepack,
                                   "byte 0xC1 at byte " + std::to_string(head.offset) + " is never used in MessagePack",
                                   head.offset, malformed_requirement);
    case 0xC2:
    case 0xC3:
        head.kind = value_kind::boolean;
        head.boolean = lead == 0xC3;
        return head;
    case 0xC4:
    case 0xC5:
    case 0xC6: {
        static constexpr std::string_view names[] = {"bin8", "bin16", "bin32"};
        const std::size_t width = std::size_t{1} << (lead - 0xC4u);
        const auto name = names[lead - 0xC4u];
        if (!take(width, n)) return short_head(name, width);
        head.kind = value_kind::binary;
        step = payload(name, n);
        break;
    }
    case 0xC7:
    case 0xC8:
    case 0xC9: {
        static constexpr std::string_view names[] = {"ext8", "ext16", "ext32"};
        const std::size_t width = std::size_t{1} << (lead - 0xC7u);
        const auto name = names[lead - 0xC7u];
        if (!take(width, n)) return short_head(name, width);
        step = extension_payload(name, n);
        break;
    }
    case 0xCA:
        if (!take(4, n)) return short_head("float32", 4);
        head.kind = value_kind::floating;
        head.floating = static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(n)));
        return head;
    case 0xCB:
        if (!take(8, n)) return short_head("float64", 8);
        head.kind = value_kind::floating;
        head.floating = std::bit_cast<double>(n);
        return head;
    case 0xCC:
    case 0xCD:
    case 0xCE:
    case 0xCF: {
        static constexpr std::string_view names[] = {"uint8", "uint16", "uint32", "uint64"};
        const std::size_t width = std::size_t{1} << (lead - 0xCCu);
        if (!take(width, n)) return short_head(names[lead - 0xCCu], width);
        set_unsigned(n);
        return head;
    }
    case 0xD0:
    case 0xD1:
    case 0xD2:
    case 0xD3: {
        static constexpr std::string_view names[] = {"int8", "int16", "int32", "int64"};
        const std::size_t width = std::size_t{1} << (lead - 0xD0u);
        if (!take(width, n)) return short_head(names[lead - 0xD0u], width);
        // Sign-extend from the stored width.
        const unsigned shift = static_cast<unsigned>(64 - 8 * width);
        head.kind = value_kind::integer;
        head.integer = static_cast<std::int64_t>(n << shift) >> shift;
        return head;
    }
    case 0xD4:
    case 0xD5:
    case 0xD6:
    case 0xD7:
    case 0xD8: {
        static constexpr std::string_view names[] = {"fixext1", "fixext2", "fixext4", "fixext8", "fixext16"};
        step = extension_payload(names[lead - 0xD4u], std::uint64_t{1} << (lead - 0xD4u));
        break;
    }
    case 0xD9:
    case 0xDA:
    case 0xDB: {
        static constexpr std::string_view names[] = {"str8", "str16", "str32"};
        const std::size_t width = std::size_t{1} << (lead - 0xD9u);
        const auto name = names[lead - 0xD9u];
        if (!take(width, n)) return short_head(name, width);
        step = string_payload(name, n);
        break;
    }
    case 0xDC:
        if (!take(2, n)) return short_head("array16", 2);
        step = container(value_kind::array, "array16", n);
        break;
    case 0xDD:
        if (!take(4, n)) return short_head("array32", 4);
        step = container(value_kind::array, "array32", n);
        break;
    case 0xDE:
        if (!take(2, n)) return short_head("map16", 2);
        step = container(value_kind::map, "map16", n);
        break;
    case 0xDF:
        if (!take(4, n)) return short_head("map32", 4);
        step = container(value_kind::map, "map32", n);
        break;
    default: break; // unreachable: every byte value is handled above
    }
    if (!step) return step.error();
    return head;
}

result<value> messagepack_reader::read_value() {
    auto head = read_head();
    if (!head) return head.error();
    return read_nested(*head, 1);
}

result<value> messagepack_reader::read_value(const messagepack_head& head) {
    return read_nested(head, 1);
}

result<void> messagepack_reader::skip() {
    auto head = read_head();
    if (!head) return head.error();
    return skip_nested(*head, 1);
}

namespace {

protocol_error too_deep(std::size_t offset, std::size_t max_depth) {
    return make_protocol_error(error::nesting_too_deep,
                               "container at byte " + std::to_string(offset) + " nests deeper than " +
                                   std::to_string(max_depth) + " levels",
                               offset, malformed_requirement);
}

} // namespace

result<value> messagepack_reader::read_nested(const messagepack_head& head, std::size_t depth) {
    switch (head.kind) {
    case value_kind::null: return value{};
    case value_kind::boolean: return value{head.boolean};
    case value_kind::integer: return value{head.integer};
    case value_kind::unsigned_integer: return value{head.unsigned_integer};
    case value_kind::floating: return value{head.floating};
    case value_kind::string: return value{std::string(head.bytes)};
    case value_kind::binary: return value{binary{to_bytes(head.bytes)}};
    case value_kind::extension: return value{extension{head.extension_type, to_bytes(head.bytes)}};
    case value_kind::array: {
        if (depth > max_depth_) return too_deep(head.offset, max_depth_);
        // No reserve(): the count is only bounded by the bytes left, and nested
        // containers would each reserve against the same bytes.
        array items;
        for (std::size_t i = 0; i < head.count; ++i) {
            auto item_head = read_head();
            if (!item_head) return item_head.error();
            auto item = read_nested(*item_head, depth + 1);
            if (!item) return item.error();
            items.push_back(std::move(*item));
        }
        return value{std::move(items)};
    }
    case value_kind::map: {
        if (depth > max_depth_) return too_deep(head.offset, max_depth_);
        map entries;
        for (std::size_t i = 0; i < head.count; ++i) {
            auto key_head = read_head();
            if (!key_head) return key_head.error();
            auto key = read_nested(*key_head, depth + 1);
            if (!key) return key.error();
            auto item_head = read_head();
            if (!item_head) return item_head.error();
            auto item = read_nested(*item_head, depth + 1);
            if (!item) return item.error();
            entries.push_back(map_entry{std::move(*key), std::move(*item)});
        }
        return value{std::move(entries)};
    }
    }
    return value{};
}

result<void> messagepack_reader::skip_nested(const messagepack_head& head, std::size_t depth) {
    if (head.kind != value_kind::array && head.kind != value_kind::map) return {};
    if (depth > max_depth_) return too_deep(head.offset, max_depth_);
    const std::size_t items = head.kind == value_kind::map ? head.count * 2 : head.count;
    for (std::size_t i = 0; i < items; ++i) {
        auto item_head = read_head();
        if (!item_head) return item_head.error();
        if (auto r = skip_nested(*item_head, depth + 1); !r) return r;
    }
    return {};
}

} // namespace hubspec::protocol::detail
