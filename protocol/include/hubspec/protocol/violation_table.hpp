#pragma once
// The shape both reference implementations give their on-purpose defects (`--violate NAME`,
// hubspec/server/violations.hpp and hubspec/client/violations.hpp): an enum ending in count_,
// a table indexed by it, a lookup by name, and the set of switches a run turns on.

#include <array>
#include <bitset>
#include <cstddef>
#include <optional>
#include <string_view>

namespace hubspec::protocol {

template <class Violation>
struct violation_entry {
    Violation id;
    std::string_view name;        // kebab-case, as `--violate` takes it
    std::string_view requirement; // the one requirement ID it breaks (shared/spec/signalr-protocol.md)
    std::string_view description; // what the implementation then does
};

template <class Violation>
inline constexpr std::size_t violation_count = static_cast<std::size_t>(Violation::count_);

template <class Violation>
using violation_table_of = std::array<violation_entry<Violation>, violation_count<Violation>>;

/// Whether entry i of `table` is violation i: one entry per violation, in the enum's order.
template <class Violation>
constexpr bool indexed_by_enum(const violation_table_of<Violation>& table) noexcept {
    for (std::size_t i = 0; i < table.size(); ++i) {
        if (static_cast<std::size_t>(table[i].id) != i) return false;
    }
    return true;
}

/// The violation called `name` (kebab-case), if there is one.
template <class Violation>
constexpr std::optional<Violation> find_by_name(const violation_table_of<Violation>& table,
                                                std::string_view name) noexcept {
    for (const auto& entry : table) {
        if (entry.name == name) return entry.id;
    }
    return std::nullopt;
}

/// The violations switched on; empty in every normal run.
template <class Violation>
class violation_switches {
public:
    void insert(Violation v) noexcept { bits_.set(static_cast<std::size_t>(v)); }
    bool contains(Violation v) const noexcept { return bits_.test(static_cast<std::size_t>(v)); }
    bool empty() const noexcept { return bits_.none(); }

private:
    std::bitset<violation_count<Violation>> bits_;
};

} // namespace hubspec::protocol
