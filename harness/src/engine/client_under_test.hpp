#pragma once
// One cell's client under test (hubspec run --client): the server it meets, the agent
// process once a step starts it, and how far the steps have read what each recorded.
// Destroyed agent first: the client ends before its server does.

#include "engine/agent_process.hpp"
#include "engine/observed_server.hpp"

#include <memory>
#include <string>

namespace hubspec::harness::detail {

struct client_under_test {
    std::string command; // the agent's command line
    std::unique_ptr<observed_server> server;
    std::unique_ptr<agent_process> agent; // after the server: destroyed first
    std::size_t request_cursor = 0;       // requests before it are matched or history
    std::size_t message_cursor = 0;
    std::size_t event_cursor = 0;
    std::chrono::steady_clock::time_point last_fault{}; // when the last server_* step acted
    std::chrono::steady_clock::time_point last_event{}; // when the agent reported the event last matched
    std::string transport;                              // what the agent was asked for ("" = its own choice)
    std::string protocol;
    int negotiate_version = 1; // what the client speaks (--client-negotiate-version)
};

} // namespace hubspec::harness::detail
