#include "hubspec/server/hub.hpp"

#include "hubspec/protocol/detail/helpers.hpp"

#include <algorithm>

namespace hubspec::server {

using protocol::detail::iequals;

hub& hub::add(hub_method m) {
    // Registering a name twice replaces the method: last one wins.
    auto it =
        std::find_if(methods_.begin(), methods_.end(), [&](const hub_method& e) { return iequals(e.name, m.name); });
    if (it != methods_.end()) {
        *it = std::move(m);
    } else {
        methods_.push_back(std::move(m));
    }
    return *this;
}

hub& hub::on_connected(std::function<void(hub_call&)> callback) {
    on_connected_ = std::move(callback);
    return *this;
}

hub& hub::on_disconnected(std::function<void(hub_call&)> callback) {
    on_disconnected_ = std::move(callback);
    return *this;
}

const hub_method* hub::find(std::string_view name) const noexcept {
    for (const auto& m : methods_) {
        if (iequals(m.name, name)) return &m; // MSG-019
    }
    return nullptr;
}

} // namespace hubspec::server
