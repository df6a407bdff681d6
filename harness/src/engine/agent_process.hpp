#pragma once
// A client under test, started as a command through the client agent contract
// (shared/spec/conformance-hub.md): HUBSPEC_* variables in, one JSON line per state
// change out, exit 127 for "unsupported". The lines and the exit are recorded as
// they come, for the client steps to wait on.

#include <hubspec/protocol/value.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <sys/types.h>
#include <thread>
#include <vector>

namespace hubspec::harness::detail {

struct agent_event {
    std::string name;     // "connected", "reconnecting", "reconnected", "closed", "unsupported", …
    protocol::value line; // the whole JSON object
    std::string text;     // as printed
    std::chrono::steady_clock::time_point at; // when the harness read it
};

class agent_process {
public:
    using clock = std::chrono::steady_clock;

    /// Runs `command` with /bin/sh -c and `environment` added to the harness's own;
    /// `note` hears each line of stdout and stderr, for the transcript.
    agent_process(const std::string& command, const std::map<std::string, std::string>& environment,
                  std::function<void(const std::string&)> note);
    /// Kills the agent (SIGTERM, then SIGKILL) if it still runs.
    ~agent_process();
    agent_process(const agent_process&) = delete;
    agent_process& operator=(const agent_process&) = delete;

    /// The index of the first event from `from` on called `name`, waiting until `deadline`.
    std::optional<std::size_t> wait_event(std::size_t from, const std::string& name, clock::time_point deadline);
    /// The same for the first event called any of `names`.
    std::optional<std::size_t> wait_event(std::size_t from, const std::vector<std::string>& names,
                                          clock::time_point deadline);
    std::vector<agent_event> events() const;
    /// The exit status (127 = unsupported), waiting until `deadline`; nullopt while it runs.
    std::optional<int> wait_exit(clock::time_point deadline);

private:
    void read_lines(int fd, bool is_stdout);

    std::function<void(const std::string&)> note_;
    pid_t pid_ = -1;
    std::thread out_reader_, err_reader_, reaper_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<agent_event> events_;
    std::optional<int> exit_status_;
};

} // namespace hubspec::harness::detail
