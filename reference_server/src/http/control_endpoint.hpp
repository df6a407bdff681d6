#pragma once
// The control API over HTTP (hubspec-server --control): /control/* requests
// turned into the router's control operations, with plain-text errors that name
// the problem. I/O thread only, like the router.

#include "endpoint_types.hpp"

#include <string_view>

namespace hubspec::server::detail {

class endpoint_router;

/// GET /control/connections[?hub=PATH], GET /control/faults, POST /control/drop?connectionId=ID|all,
/// POST /control/close?connectionId=ID[&allowReconnect=true|false][&error=TEXT],
/// POST /control/refuse-websockets?on=true|false, POST /control/pings?on=true|false,
/// POST /control/delay?ms=N.
http_reply control_request(endpoint_router& router, const http_request& request, std::string_view path,
                           std::string_view query);

} // namespace hubspec::server::detail
