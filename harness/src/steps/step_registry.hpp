#pragma once
// The step vocabulary (scenarios/README.md): each action's executor. An executor
// returns when its expectation held and throws (engine/step_errors.hpp) otherwise.

#include "engine/cell_context.hpp"

#include <string_view>

namespace hubspec::harness::detail {

using step_executor = void (*)(const step& s, cell_context& ctx);

/// nullptr for an unknown action (the loader rejects those before a run).
step_executor find_step_executor(std::string_view action);

// One function per action, in the file of its level.
void run_connect(const step&, cell_context&);
void run_invoke(const step&, cell_context&);
void run_await(const step&, cell_context&);
void run_send(const step&, cell_context&);
void run_expect_message(const step&, cell_context&);
void run_expect_no_message(const step&, cell_context&);
void run_expect_sequence(const step&, cell_context&);
void run_stream(const step&, cell_context&);
void run_upload(const step&, cell_context&);
void run_handle(const step&, cell_context&);
void run_stop(const step&, cell_context&);
void run_expect_state(const step&, cell_context&);
void run_expect_closed(const step&, cell_context&);
void run_http(const step&, cell_context&);
void run_raw_connect(const step&, cell_context&);
void run_raw_send(const step&, cell_context&);
void run_raw_expect(const step&, cell_context&);
void run_raw_expect_closed(const step&, cell_context&);
void run_raw_expect_silence(const step&, cell_context&);
void run_raw_expect_frames(const step&, cell_context&);
void run_raw_pause(const step&, cell_context&);
void run_raw_close(const step&, cell_context&);
void run_proxy(const step&, cell_context&);
void run_backplane_fault(const step&, cell_context&);
void run_check(const step&, cell_context&);
// client_under_test_steps.cpp: the client under test (hubspec run --client)
void run_start_client(const step&, cell_context&);
void run_expect_client_event(const step&, cell_context&);
void run_expect_no_client_event(const step&, cell_context&);
void run_expect_client_exit(const step&, cell_context&);
void run_server_send(const step&, cell_context&);
void run_server_invoke(const step&, cell_context&);
void run_server_fault(const step&, cell_context&);
void run_expect_client_request(const step&, cell_context&);
void run_expect_client_connects(const step&, cell_context&);
void run_expect_no_client_request(const step&, cell_context&);
void run_expect_client_message(const step&, cell_context&);
void run_expect_no_client_message(const step&, cell_context&);

} // namespace hubspec::harness::detail
