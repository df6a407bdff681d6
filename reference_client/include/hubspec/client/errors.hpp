#pragma once
// What the client's futures and blocking calls throw. The texts are Microsoft's
// where Microsoft has one (texts.hpp), so callers can compare them.

#include <stdexcept>
#include <string>

namespace hubspec::client {

/// The server answered an invocation or stream with a Completion `error` (MSG-040).
class hub_exception : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The connection failed or ended: start failed, the invocation was canceled
/// because the connection closed (RC-010), the stream was canceled, bad server input.
class connection_exception : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace hubspec::client
