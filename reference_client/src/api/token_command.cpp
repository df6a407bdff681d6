#include "hubspec/client/token_command.hpp"

#include <array>
#include <cstdio>
#include <stdexcept>
#include <sys/wait.h>

namespace hubspec::client {

std::string token_from_command(const std::string& command) {
    FILE* pipe = ::popen(command.c_str(), "r"); // its standard error goes to ours, where a user sees it
    if (!pipe) throw std::runtime_error("--access-token-command could not be started: " + command);
    std::string out;
    std::array<char, 4096> chunk{};
    while (const auto n = std::fread(chunk.data(), 1, chunk.size(), pipe))
        out.append(chunk.data(), n);
    const int status = ::pclose(pipe);
    if (status != 0) {
        const auto code = WIFEXITED(status) ? std::to_string(WEXITSTATUS(status)) : std::string("a signal");
        throw std::runtime_error("--access-token-command exited with " + code + ": " + command);
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
        out.pop_back();
    if (out.empty()) throw std::runtime_error("--access-token-command printed no token: " + command);
    return out;
}

} // namespace hubspec::client
