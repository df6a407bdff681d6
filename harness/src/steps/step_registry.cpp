#include "steps/step_registry.hpp"

#include <map>
#include <string>

namespace hubspec::harness::detail {

step_executor find_step_executor(std::string_view action) {
    static const std::map<std::string, step_executor, std::less<>> executors{
        {"connect", run_connect},
        {"invoke", run_invoke},
        {"await", run_await},
        {"send", run_send},
        {"expect_message", run_expect_message},
        {"expect_no_message", run_expect_no_message},
        {"expect_sequence", run_expect_sequence},
        {"stream", run_stream},
        {"upload", run_upload},
        {"handle", run_handle},
        {"stop", run_stop},
        {"expect_state", run_expect_state},
        {"expect_closed", run_expect_closed},
        {"http", run_http},
        {"raw_connect", run_raw_connect},
        {"raw_send", run_raw_send},
        {"raw_expect", run_raw_expect},
        {"raw_expect_closed", run_raw_expect_closed},
        {"raw_expect_silence", run_raw_expect_silence},
        {"raw_expect_frames", run_raw_expect_frames},
        {"raw_pause", run_raw_pause},
        {"raw_close", run_raw_close},
        {"proxy", run_proxy},
        {"backplane_fault", run_backplane_fault},
        {"check", run_check},
        {"start_client", run_start_client},
        {"expect_client_event", run_expect_client_event},
        {"expect_no_client_event", run_expect_no_client_event},
        {"expect_client_exit", run_expect_client_exit},
        {"server_send", run_server_send},
        {"server_invoke", run_server_invoke},
        {"server_fault", run_server_fault},
        {"expect_client_request", run_expect_client_request},
        {"expect_client_connects", run_expect_client_connects},
        {"expect_no_client_request", run_expect_no_client_request},
        {"expect_client_message", run_expect_client_message},
        {"expect_no_client_message", run_expect_no_client_message},
    };
    auto it = executors.find(action);
    return it == executors.end() ? nullptr : it->second;
}

} // namespace hubspec::harness::detail
