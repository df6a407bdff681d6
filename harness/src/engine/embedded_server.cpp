#include "engine/embedded_server.hpp"

#include <hubspec/server/conformance_hub.hpp>
#include <hubspec/server/server.hpp>

namespace hubspec::harness::detail {

embedded_server::embedded_server(const target_timings& timings) {
    server::server_options options;
    options.hub.keep_alive_interval = timings.keep_alive;
    options.hub.client_timeout_interval = timings.client_timeout;
    options.hub.handshake_timeout = timings.handshake_timeout;
    options.hub.maximum_receive_message_size = timings.max_message_size;
    options.hub.stateful_reconnect_buffer_size = timings.stateful_reconnect_buffer_size;
    options.hub.enable_detailed_errors = true; // the contract's ThrowException text shows through (ERR-003)
    options.disconnect_timeout = timings.disconnect_timeout;
    options.long_poll_timeout = timings.long_poll_timeout;
    options.log_to_stderr = false; // the cells' transcripts are the evidence; stderr is for progress
    server_ = std::make_unique<server::server>(options);
    server::add_contract_endpoints(*server_);
    const auto port = server_->listen("127.0.0.1", 0);
    hub_url_ = "http://127.0.0.1:" + std::to_string(port) + "/conformance";
    thread_ = std::thread([this] { server_->run(); });
}

embedded_server::~embedded_server() {
    server_->stop();
    if (thread_.joinable()) thread_.join();
}

} // namespace hubspec::harness::detail
