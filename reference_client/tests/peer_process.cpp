#include "peer_process.hpp"

#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace hubspec::client::test {

const char* name_of(server_kind kind) noexcept {
    return kind == server_kind::hubspec ? "hubspec" : "aspnetcore";
}

peer_process::peer_process(server_kind kind, std::vector<std::string> extra_args) {
    std::vector<std::string> args{kind == server_kind::hubspec ? HUBSPEC_SERVER_BINARY
                                                               : HUBSPEC_INTEROP_DIR "/aspnetcore/run",
                                  "--listen", "127.0.0.1:0"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    // HUBSPEC_PEER_LOG=FILE keeps the peers' logs (appended) for a failure's investigation.
    const char* log = std::getenv("HUBSPEC_PEER_LOG");
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log ? log : "/dev/null", O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
    int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    if (rc != 0) {
        close(out[0]);
        throw std::runtime_error(std::string("cannot start ") + args[0]);
    }
    // The first line says where it listens; wait for it, not for a fixed time.
    std::string line;
    char c = 0;
    pollfd p{out[0], POLLIN, 0};
    while (line.find('\n') == std::string::npos) {
        if (poll(&p, 1, 120'000) <= 0 || read(out[0], &c, 1) != 1) {
            close(out[0]);
            stop();
            throw std::runtime_error(args[0] + " did not say where it listens");
        }
        line += c;
    }
    close(out[0]); // later output goes nowhere; the peer does not write more to stdout
    auto colon = line.rfind(':');
    port_ = static_cast<std::uint16_t>(std::stoi(line.substr(colon + 1)));
}

peer_process::~peer_process() {
    stop();
}

void peer_process::stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
}

} // namespace hubspec::client::test
