#pragma once
// What the client says it is, on every HTTP request and WebSocket upgrade.

#include <string_view>

namespace hubspec::client::detail {

inline constexpr std::string_view user_agent = "hubspec-client/0.1";

} // namespace hubspec::client::detail
