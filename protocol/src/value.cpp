#include "hubspec/protocol/value.hpp"

#include <limits>

namespace hubspec::protocol {

void value::set_unsigned(std::uint64_t u) noexcept {
    // One form per integer: only values above INT64_MAX are kept as uint64.
    if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        storage_ = static_cast<std::int64_t>(u);
    } else {
        storage_ = u;
    }
}

std::optional<std::int64_t> value::as_int64() const noexcept {
    if (const auto* i = get_if<std::int64_t>()) return *i;
    return std::nullopt;
}

const value* value::find(std::string_view key) const noexcept {
    const auto* entries = get_if<map>();
    if (entries == nullptr) return nullptr;
    for (const auto& entry : *entries) {
        if (const auto* k = entry.key.as_string(); k != nullptr && *k == key) return &entry.item;
    }
    return nullptr;
}

std::string_view kind_name(value_kind k) noexcept {
    switch (k) {
    case value_kind::null: return "null";
    case value_kind::boolean: return "boolean";
    case value_kind::integer: return "integer";
    case value_kind::unsigned_integer: return "unsigned integer";
    case value_kind::floating: return "float";
    case value_kind::string: return "string";
    case value_kind::binary: return "binary";
    case value_kind::array: return "array";
    case value_kind::map: return "map";
    case value_kind::extension: return "extension";
    }
    return "unknown";
}

map make_map(std::initializer_list<std::pair<std::string_view, value>> entries) {
    map out;
    out.reserve(entries.size());
    for (const auto& [key, item] : entries)
        out.push_back({value(key), item});
    return out;
}

} // namespace hubspec::protocol
