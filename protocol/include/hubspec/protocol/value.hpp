#pragma once
// The value model: what hub arguments, results and stream items are. Both hub
// protocols map onto it without loss, so a MessagePack binary stays binary, a
// uint64 above INT64_MAX stays exact, and an extension value (a timestamp, type -1)
// passes through unharmed.

#include <compare>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hubspec::protocol {

enum class value_kind {
    null,
    boolean,
    integer,          // int64: every integer that fits
    unsigned_integer, // uint64 above INT64_MAX only, so each integer has one form
    floating,
    string,
    binary,
    array,
    map,
    extension,
};

class value;

using array = std::vector<value>;

struct map_entry;
/// Maps keep their wire order; MessagePack keys need not be strings.
using map = std::vector<map_entry>;

struct binary {
    std::vector<std::uint8_t> bytes;
    bool operator==(const binary&) const = default;
};

/// A MessagePack extension value (type -1 is the timestamp), kept as raw bytes.
struct extension {
    std::int8_t type = 0;
    std::vector<std::uint8_t> data;
    bool operator==(const extension&) const = default;
};

class value {
public:
    using storage = std::variant<std::nullptr_t, bool, std::int64_t, std::uint64_t, double, std::string, binary, array,
                                 map, extension>;

    // Defined below map_entry: the storage's destructor needs map_entry complete.
    value() noexcept;
    value(std::nullptr_t) noexcept;
    value(bool b) noexcept;
    template <std::signed_integral I>
    requires(!std::same_as<I, bool>) value(I i)
    noexcept;
    template <std::unsigned_integral U>
    requires(!std::same_as<U, bool>) value(U u)
    noexcept;
    value(double d) noexcept;
    value(std::string s) noexcept;
    value(std::string_view s);
    value(const char* s);
    value(binary b) noexcept;
    value(array a) noexcept;
    value(map m) noexcept;
    value(extension e) noexcept;

    value_kind kind() const noexcept { return static_cast<value_kind>(storage_.index()); }
    bool is_null() const noexcept { return kind() == value_kind::null; }

    template <class T>
    const T* get_if() const noexcept {
        return std::get_if<T>(&storage_);
    }
    template <class T>
    T* get_if() noexcept {
        return std::get_if<T>(&storage_);
    }

    /// The integer, if this is one that fits in int64.
    std::optional<std::int64_t> as_int64() const noexcept;
    const std::string* as_string() const noexcept { return get_if<std::string>(); }

    /// The entry of a map under a string key, or nullptr.
    const value* find(std::string_view key) const noexcept;

    const storage& raw() const noexcept { return storage_; }

    bool operator==(const value& other) const = default;

private:
    void set_unsigned(std::uint64_t u) noexcept;
    storage storage_;
};

struct map_entry {
    value key;
    value item;
    bool operator==(const map_entry&) const = default;
};

inline value::value() noexcept : storage_(nullptr) {}
inline value::value(std::nullptr_t) noexcept : storage_(nullptr) {}
inline value::value(bool b) noexcept : storage_(b) {}
template <std::signed_integral I>
requires(!std::same_as<I, bool>) inline value::value(I i) noexcept : storage_(static_cast<std::int64_t>(i)) {}
template <std::unsigned_integral U>
requires(!std::same_as<U, bool>) inline value::value(U u) noexcept : storage_(static_cast<std::int64_t>(0)) {
    set_unsigned(u);
}
inline value::value(double d) noexcept : storage_(d) {}
inline value::value(std::string s) noexcept : storage_(std::move(s)) {}
inline value::value(std::string_view s) : storage_(std::string(s)) {}
inline value::value(const char* s) : storage_(std::string(s)) {}
inline value::value(binary b) noexcept : storage_(std::move(b)) {}
inline value::value(array a) noexcept : storage_(std::move(a)) {}
inline value::value(map m) noexcept : storage_(std::move(m)) {}
inline value::value(extension e) noexcept : storage_(std::move(e)) {}

std::string_view kind_name(value_kind k) noexcept;

/// Builds a map with string keys: make_map({{"a", 1}, {"b", "x"}}).
map make_map(std::initializer_list<std::pair<std::string_view, value>> entries);

} // namespace hubspec::protocol
