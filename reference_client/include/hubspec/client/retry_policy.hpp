#pragma once
// Automatic reconnect's retry policy (RC-002, RC-007): given what happened so far,
// the delay before the next attempt, or nullopt to give up.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hubspec::client {

struct retry_context {
    std::int64_t previous_retry_count = 0; // attempts made so far
    std::chrono::milliseconds elapsed{0};  // since reconnecting started
    std::string retry_reason;              // the last error's text
};

using retry_policy = std::function<std::optional<std::chrono::milliseconds>(const retry_context&)>;

/// 0, 2000, 10000, 30000 ms, then give up (RC-002).
std::vector<std::chrono::milliseconds> default_reconnect_delays();

/// Exactly `delays`, one per attempt, then give up (RC-002).
retry_policy delays_policy(std::vector<std::chrono::milliseconds> delays);

} // namespace hubspec::client
