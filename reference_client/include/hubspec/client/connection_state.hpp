#pragma once
// The hub connection's states, as Microsoft's clients name them (RC-003).

#include <string_view>

namespace hubspec::client {

enum class connection_state {
    disconnected,
    connecting,
    connected,
    disconnecting,
    reconnecting,
};

/// "Disconnected", "Connecting", … as HubConnectionState prints them.
std::string_view to_string(connection_state s) noexcept;

} // namespace hubspec::client
