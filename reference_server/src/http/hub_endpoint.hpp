#pragma once
// One path a hub is served at: its endpoint options and the hub lifetime it shares
// with the other paths of the same hub (/conformance, /conformance-nows, …).

#include "hub/hub_lifetime.hpp"

#include "hubspec/server/options.hpp"

#include <memory>
#include <string>

namespace hubspec::server::detail {

struct hub_endpoint {
    std::string path;
    endpoint_options options;
    std::shared_ptr<hub_lifetime> lifetime;
};

} // namespace hubspec::server::detail
