#include "engine/agent_process.hpp"

#include "hubspec/harness/message_json.hpp"

#include <hubspec/protocol/json_value.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace hubspec::harness::detail {

agent_process::agent_process(const std::string& command, const std::map<std::string, std::string>& environment,
                             std::function<void(const std::string&)> note)
    : note_(std::move(note)) {
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    if (pipe2(err, O_CLOEXEC) != 0) {
        close(out[0]);
        close(out[1]);
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    }
    std::map<std::string, std::string> merged;
    for (char** e = environ; *e; ++e) {
        std::string entry(*e);
        const auto eq = entry.find('=');
        if (eq != std::string::npos) merged[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    for (const auto& [k, v] : environment)
        merged[k] = v;
    std::vector<std::string> entries;
    for (const auto& [k, v] : merged)
        entries.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& e : entries)
        envp.push_back(e.data());
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP); // its own group: the kill reaches its children
    posix_spawnattr_setpgroup(&attributes, 0);
    std::string shell = "/bin/sh", dash_c = "-c", script = command;
    char* argv[] = {shell.data(), dash_c.data(), script.data(), nullptr};
    const int spawned = posix_spawn(&pid_, "/bin/sh", &actions, &attributes, argv, envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    close(out[1]);
    close(err[1]);
    if (spawned != 0) {
        close(out[0]);
        close(err[0]);
        throw std::runtime_error("cannot start the client under test (" + command + "): " + std::strerror(spawned));
    }
    out_reader_ = std::thread([this, fd = out[0]] { read_lines(fd, true); });
    err_reader_ = std::thread([this, fd = err[0]] { read_lines(fd, false); });
    reaper_ = std::thread([this] {
        int status = 0;
        while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {}
        const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        // Lines printed before the exit are read first: the readers end at EOF.
        if (out_reader_.joinable()) out_reader_.join();
        if (note_) note_("client exited with status " + std::to_string(code));
        std::lock_guard lock(mutex_);
        exit_status_ = code;
        changed_.notify_all();
    });
}

agent_process::~agent_process() {
    bool running;
    {
        std::lock_guard lock(mutex_);
        running = !exit_status_;
    }
    if (running) {
        kill(-pid_, SIGTERM);
        if (!wait_exit(clock::now() + std::chrono::seconds(3))) kill(-pid_, SIGKILL);
    }
    if (reaper_.joinable()) reaper_.join();
    if (err_reader_.joinable()) err_reader_.join();
}

void agent_process::read_lines(int fd, bool is_stdout) {
    std::string buffer;
    char chunk[4096];
    auto take_line = [&](std::string line) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (note_) note_(std::string(is_stdout ? "client stdout: " : "client stderr: ") + line);
        if (!is_stdout) return;
        auto parsed = protocol::parse_json_value(line);
        if (!parsed || !parsed->get_if<protocol::map>()) return; // not a contract line: logs only
        agent_event e;
        e.at = clock::now();
        e.line = std::move(*parsed);
        for (const auto& entry : *e.line.get_if<protocol::map>())
            if (const auto* key = entry.key.as_string(); key && *key == "event" && entry.item.as_string())
                e.name = *entry.item.as_string();
        e.text = std::move(line);
        std::lock_guard lock(mutex_);
        events_.push_back(std::move(e));
        changed_.notify_all();
    };
    for (;;) {
        const auto n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        buffer.append(chunk, static_cast<std::size_t>(n));
        for (auto eol = buffer.find('\n'); eol != std::string::npos; eol = buffer.find('\n')) {
            take_line(buffer.substr(0, eol));
            buffer.erase(0, eol + 1);
        }
    }
    if (!buffer.empty()) take_line(std::move(buffer));
    close(fd);
}

std::optional<std::size_t> agent_process::wait_event(std::size_t from, const std::string& name,
                                                     clock::time_point deadline) {
    return wait_event(from, std::vector<std::string>{name}, deadline);
}

std::optional<std::size_t> agent_process::wait_event(std::size_t from, const std::vector<std::string>& names,
                                                     clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    for (;;) {
        for (auto i = from; i < events_.size(); ++i)
            if (std::find(names.begin(), names.end(), events_[i].name) != names.end()) return i;
        from = events_.size();
        if (exit_status_) return std::nullopt; // no more lines will come
        if (changed_.wait_until(lock, deadline) == std::cv_status::timeout && events_.size() == from)
            return std::nullopt;
    }
}

std::vector<agent_event> agent_process::events() const {
    std::lock_guard lock(mutex_);
    return events_;
}

std::optional<int> agent_process::wait_exit(clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    changed_.wait_until(lock, deadline, [&] { return exit_status_.has_value(); });
    return exit_status_;
}

} // namespace hubspec::harness::detail
