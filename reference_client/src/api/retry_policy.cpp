#include "hubspec/client/retry_policy.hpp"

namespace hubspec::client {

std::vector<std::chrono::milliseconds> default_reconnect_delays() {
    using std::chrono::milliseconds;
    return {milliseconds{0}, milliseconds{2'000}, milliseconds{10'000}, milliseconds{30'000}}; // RC-002
}

retry_policy delays_policy(std::vector<std::chrono::milliseconds> delays) {
    return [delays = std::move(delays)](const retry_context& context) -> std::optional<std::chrono::milliseconds> {
        if (context.previous_retry_count < 0 || static_cast<std::size_t>(context.previous_retry_count) >= delays.size())
            return std::nullopt;
        return delays[static_cast<std::size_t>(context.previous_retry_count)];
    };
}

} // namespace hubspec::client
