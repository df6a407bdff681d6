#include "log.hpp"

#include <atomic>
#include <cstdio>

namespace hubspec::server::detail {

namespace {

std::atomic<bool> enabled{true};

/// Appends `text` with control and non-ASCII bytes as \xHH: log lines quote what clients sent (targets,
/// ids), and a client must not be able to write escapes, line breaks or invalid UTF-8 into the log.
void append_escaped(std::string& line, std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20 && byte < 0x7f) {
            line += c;
        } else {
            line.append("\\x").append(1, hex[byte >> 4]).append(1, hex[byte & 0xf]);
        }
    }
}

} // namespace

void set_log_enabled(bool on) noexcept {
    enabled = on;
}

void log_event(std::string_view requirement, std::string_view connection, std::string_view message) {
    if (!enabled) return;
    std::string line = "hubspec-server: [";
    line.append(requirement).append("] ");
    append_escaped(line, connection);
    line.append(": ");
    append_escaped(line, message);
    line.append("\n");
    std::fwrite(line.data(), 1, line.size(), stderr);
}

} // namespace hubspec::server::detail
