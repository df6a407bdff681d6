#pragma once
// HS-007 told apart from framing defects: a handshake response whose JSON object no record
// separator follows, seen by raw connections and by the reference client's connections alike.

#include <optional>
#include <string>
#include <string_view>

namespace hubspec::harness::detail {

/// When `received` (the first bytes the server sent on a connection) starts with a whole JSON
/// object that the record separator does not follow, what was seen, for an HS-007 failure;
/// nullopt when the separator follows, or when the bytes do not start with a whole object.
std::optional<std::string> handshake_without_separator(std::string_view received);

} // namespace hubspec::harness::detail
