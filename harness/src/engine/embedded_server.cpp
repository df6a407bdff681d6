#include "engine/embedded_server.hpp"

#include <hubspec/server/conformance_hub.hpp>
#include <hubspec/server/server.hpp>

#include <algorithm>
#include <thread>

namespace hubspec::harness::detail {

embedded_server::embedded_server(const protocol::target_settings& timings) {
    server::server_options options;
    server::apply_target_settings(timings, options);
    options.hub.enable_detailed_errors = true; // the contract's ThrowException text shows through (ERR-003)
    options.log_to_stderr = false;             // the cells' transcripts are the evidence; stderr is for progress
    options.io_threads = std::max(1u, std::thread::hardware_concurrency()); // as hubspec-server runs by default
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
