#pragma once
// Unpredictable bytes from the kernel, for ids other parties must not guess
// (connection ids, NEG-012; backplane server names and invocation ids, RB-012, RB-062).

#include <array>
#include <cstdint>

namespace hubspec::server::detail {

std::array<std::uint8_t, 16> random_bytes();

} // namespace hubspec::server::detail
