#include "hubspec/client/connection_state.hpp"

namespace hubspec::client {

std::string_view to_string(connection_state s) noexcept {
    switch (s) {
    case connection_state::disconnected: return "Disconnected";
    case connection_state::connecting: return "Connecting";
    case connection_state::connected: return "Connected";
    case connection_state::disconnecting: return "Disconnecting";
    case connection_state::reconnecting: return "Reconnecting";
    }
    return "Unknown";
}

} // namespace hubspec::client
