#pragma once
// hubspec-server's control API (`--control`), as tests of the client use it to make the
// server do what a real one does on its own: close a connection with a Close message, drop it.

#include "peer_process.hpp"

#include <string>

namespace hubspec::client::test {

/// POSTs `path_and_query` (`/control/close?connectionId=…`) to the server; returns the HTTP status.
/// Throws std::runtime_error when no answer came.
unsigned control_post(const peer_process& server, const std::string& path_and_query);

} // namespace hubspec::client::test
