#include "log.hpp"

#include <atomic>
#include <cstdio>

namespace hubspec::server::detail {

namespace {
std::atomic<bool> enabled{true};
}

void set_log_enabled(bool on) noexcept {
    enabled = on;
}

void log_event(std::string_view requirement, std::string_view connection, std::string_view message) {
    if (!enabled) return;
    std::string line = "hubspec-server: [";
    line.append(requirement).append("] ").append(connection).append(": ").append(message).append("\n");
    std::fwrite(line.data(), 1, line.size(), stderr);
}

} // namespace hubspec::server::detail
