#pragma once
// The control API's operations on connections (include/hubspec/server/control.hpp):
// list them, drop their transport as a lost network would, close them with a SignalR
// Close. Both faces of the control API (server_control.cpp, control_endpoint.cpp)
// call these on the I/O thread.

#include "connection_registry.hpp"

#include "hubspec/server/control.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hubspec::server::detail {

class connection_control {
public:
    explicit connection_control(connection_registry& registry) : registry_(registry) {}

    /// Started connections not yet ended, of endpoint `hub_path` or (empty) of all.
    std::vector<connection_info> connections(std::string_view hub_path) const;
    /// False when no started connection has this id.
    bool drop(const std::string& connection_id);
    std::size_t drop_all();
    bool close(const std::string& connection_id, bool allow_reconnect, std::optional<std::string> error);
    bool send(const std::string& connection_id, const std::string& method, protocol::value_list arguments);
    bool send_raw(const std::string& connection_id, std::string bytes);
    bool invoke(const std::string& connection_id, const std::string& method, protocol::value_list arguments,
                std::function<void(client_result)> on_result);

private:
    /// The live hub connection of `connection_id`, or null.
    std::shared_ptr<hub_connection> live(const std::string& connection_id) const;
    void drop_token(const std::string& token);

    connection_registry& registry_;
};

} // namespace hubspec::server::detail
