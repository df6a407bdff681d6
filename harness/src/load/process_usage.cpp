#include "load/process_usage.hpp"

#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

namespace hubspec::harness::load {

std::optional<process_usage> read_process_usage(int pid) {
    const auto dir = "/proc/" + std::to_string(pid);
    std::ifstream stat_file(dir + "/stat");
    std::string stat;
    if (!std::getline(stat_file, stat)) return std::nullopt;
    // The command name in parentheses may hold spaces: fields are counted after its last ')'.
    const auto name_end = stat.rfind(')');
    if (name_end == std::string::npos) return std::nullopt;
    std::istringstream fields(stat.substr(name_end + 1));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int number = 3; fields >> field; ++number) { // field 3 is the state; 14 utime, 15 stime (proc(5))
        if (number == 14) utime = std::stoull(field);
        if (number == 15) {
            stime = std::stoull(field);
            break;
        }
    }
    process_usage usage;
    usage.cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));

    std::ifstream status(dir + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("VmRSS:", 0) == 0) {
            usage.rss_bytes = std::stoull(line.substr(6)) * 1024; // "VmRSS:    1234 kB"
            return usage;
        }
    }
    return std::nullopt;
}

} // namespace hubspec::harness::load
