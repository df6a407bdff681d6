#pragma once
// One line of Redis's MONITOR output, as `redis-cli MONITOR` prints it and as the
// MONITOR stream's status replies carry it:
//   1796537759.159682 [0 127.0.0.1:40922] "SUBSCRIBE" "Hub:all"
// arguments quoted, binary bytes as \xhh and C escapes (sdscatrepr's form).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hubspec::harness::backplane {

struct monitor_command {
    std::string time;   // seconds.microseconds, as printed
    std::string client; // "127.0.0.1:40922": which connection sent it
    std::vector<std::string> argv;
};

/// nullopt for anything that is not a command line ("OK", blank lines).
std::optional<monitor_command> parse_monitor_line(std::string_view line);

} // namespace hubspec::harness::backplane
