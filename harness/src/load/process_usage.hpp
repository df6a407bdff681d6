#pragma once
// What a server process has used so far, from /proc (Linux): CPU seconds (user + system) and
// resident memory. Read before and after a measured window, the difference is the window's.

#include <cstdint>
#include <optional>

namespace hubspec::harness::load {

struct process_usage {
    double cpu_seconds = 0;      // utime + stime of /proc/PID/stat
    std::uint64_t rss_bytes = 0; // VmRSS of /proc/PID/status
};

/// nullopt when the process is gone or /proc cannot be read.
std::optional<process_usage> read_process_usage(int pid);

} // namespace hubspec::harness::load
