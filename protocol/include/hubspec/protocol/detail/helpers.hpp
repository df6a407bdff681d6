#pragma once
// Small helpers every layer needs, written once: ASCII case-insensitive comparison
// and the `overloaded` visitor. Not API: for hubspec's own code only.

#include <cstddef>
#include <string>
#include <string_view>

namespace hubspec::protocol::detail {

constexpr char ascii_lower(char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

/// Equal ignoring ASCII case: header names, schemes, hub method names (MSG-019).
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

/// `s` with ASCII letters in lower case (option names, schemes, handler names).
inline std::string to_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = ascii_lower(c);
    return out;
}

/// A visitor from lambdas: std::visit(overloaded{[](const a&) {}, [](const b&) {}}, v).
template <class... Ts>
struct overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>; // clang 14 lacks aggregate deduction

} // namespace hubspec::protocol::detail
