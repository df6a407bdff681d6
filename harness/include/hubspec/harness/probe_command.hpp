#pragma once
// `hubspec probe URL`: what an endpoint offers and how it is configured, in a few
// seconds, and the `hubspec run` command line a full run should use. Exit codes:
// 0 the endpoint answers negotiate, 2 it is not there (no answer, or 404) or bad usage.

#include <hubspec/client/tls_options.hpp>

#include <chrono>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace hubspec::harness {

struct probe_command_options {
    std::string url;
    bool json = false;                                        // one JSON object instead of text for people
    std::chrono::milliseconds keep_alive_wait{20'000};        // how long to wait for the first Ping
    std::chrono::milliseconds timeout{5'000};                 // each request and connection
    std::vector<std::pair<std::string, std::string>> headers; // --header NAME:VALUE (e.g. Authorization)
    std::string access_token;                                 // sent as Authorization: Bearer
    std::string access_token_command;                         // run once; its output is the token
    client::tls_options tls;                                  // https://: --ca-file, --insecure
};

int probe_command(const probe_command_options& options, std::ostream& out, std::ostream& err);

} // namespace hubspec::harness
