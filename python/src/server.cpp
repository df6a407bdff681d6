// The embedded reference server for Python: every contract endpoint on an
// ephemeral loopback port, its I/O loop on a thread of its own.

#include "bindings.hpp"

#include <hubspec/server/conformance_hub.hpp>
#include <hubspec/server/server.hpp>

#include <memory>
#include <thread>

namespace hubspec::python {
namespace {

struct server_timings {
    long keepalive_ms, client_timeout_ms, handshake_timeout_ms, disconnect_timeout_ms, long_poll_timeout_ms;
    std::size_t max_message_size, stateful_reconnect_buffer_size;
};

class py_server {
public:
    py_server(const server_timings& t, const std::string& host, bool log) {
        server::server_options options;
        options.hub.keep_alive_interval = std::chrono::milliseconds(t.keepalive_ms);
        options.hub.client_timeout_interval = std::chrono::milliseconds(t.client_timeout_ms);
        options.hub.handshake_timeout = std::chrono::milliseconds(t.handshake_timeout_ms);
        options.hub.maximum_receive_message_size = t.max_message_size;
        options.hub.stateful_reconnect_buffer_size = t.stateful_reconnect_buffer_size;
        options.hub.enable_detailed_errors = true; // as the harness's embedded target: ThrowException's text shows
        options.disconnect_timeout = std::chrono::milliseconds(t.disconnect_timeout_ms);
        options.long_poll_timeout = std::chrono::milliseconds(t.long_poll_timeout_ms);
        options.log_to_stderr = log;
        server_ = std::make_unique<server::server>(options);
        server::add_contract_endpoints(*server_);
        port_ = server_->listen(host, 0);
        origin_ = "http://" + host + ":" + std::to_string(port_);
        thread_ = std::thread([this] { server_->run(); });
    }
    ~py_server() { stop(); }

    void stop() {
        if (!server_) return;
        py::gil_scoped_release release; // the server's threads never need the GIL, but joining can take a while
        server_->stop();
        if (thread_.joinable()) thread_.join();
        server_.reset();
    }

    bool running() const { return server_ != nullptr; }
    std::uint16_t port() const { return port_; }
    const std::string& origin() const { return origin_; }

private:
    std::unique_ptr<server::server> server_;
    std::thread thread_;
    std::uint16_t port_ = 0;
    std::string origin_;
};

} // namespace

void bind_server(py::module_& m) {
    py::class_<py_server>(m, "_Server")
        .def(py::init([](long keepalive_ms, long client_timeout_ms, long handshake_timeout_ms,
                         long disconnect_timeout_ms, long long_poll_timeout_ms, std::size_t max_message_size,
                         std::size_t stateful_reconnect_buffer_size, const std::string& host, bool log) {
                 return std::make_unique<py_server>(
                     server_timings{keepalive_ms, client_timeout_ms, handshake_timeout_ms, disconnect_timeout_ms,
                                    long_poll_timeout_ms, max_message_size, stateful_reconnect_buffer_size},
                     host, log);
             }),
             py::arg("keepalive_ms"), py::arg("client_timeout_ms"), py::arg("handshake_timeout_ms"),
             py::arg("disconnect_timeout_ms"), py::arg("long_poll_timeout_ms"), py::arg("max_message_size"),
             py::arg("stateful_reconnect_buffer_size"), py::arg("host") = "127.0.0.1", py::arg("log") = false)
        .def("stop", &py_server::stop)
        .def_property_readonly("running", &py_server::running)
        .def_property_readonly("port", &py_server::port)
        .def_property_readonly("origin", &py_server::origin);
}

} // namespace hubspec::python
