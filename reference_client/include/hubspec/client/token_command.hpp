#pragma once
// An access token printed by a shell command, as CLIs take `--access-token-command CMD`: the
// command runs each time a token is needed (each connection and reconnect), as Microsoft's
// clients call accessTokenFactory.

#include <string>

namespace hubspec::client {

/// Runs `command` with /bin/sh and returns what it printed, its trailing line breaks removed.
/// Throws std::runtime_error naming the command and its exit status when it fails or prints nothing.
std::string token_from_command(const std::string& command);

} // namespace hubspec::client
