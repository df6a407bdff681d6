#pragma once
// One Echo call of the echo and rate modes: a payload that differs from call to call, sent as
// the string argument, and an answer that must be that same string.

#include "load/load_window.hpp"

#include <hubspec/client/hub_connection.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace hubspec::harness::load {

/// `bytes` characters: the call's number, then padding.
std::string echo_payload(std::uint64_t number, std::size_t bytes);

/// Invokes `method(payload)` on `connection` as one operation of `window` (began now), its
/// latency counted from `due`; then `after(failed)` runs on the connection's dispatcher, and
/// the operation ends.
void call_echo(client::hub_connection& connection, const std::string& method, std::string payload, load_window& window,
               load_window::clock::time_point due, std::function<void(bool failed)> after = {});

} // namespace hubspec::harness::load
