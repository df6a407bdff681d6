// The embedded reference server for Python: every contract endpoint on an
// ephemeral loopback port, its I/O loop on a thread of its own.

#include "bindings.hpp"

#include <hubspec/protocol/target_settings.hpp>
#include <hubspec/server/conformance_hub.hpp>
#include <hubspec/server/server.hpp>

#include <pybind11/stl.h>

#include <map>
#include <memory>
#include <thread>

namespace hubspec::python {
namespace {

class py_server {
public:
    py_server(const protocol::target_settings& t, const std::string& host, bool log, const std::string& tls_cert,
              const std::string& tls_key, const std::string& redis_host, std::uint16_t redis_port,
              const std::string& redis_channel_prefix) {
        server::server_options options;
        options.backplane.redis_host = redis_host; // empty: one node
        options.backplane.redis_port = redis_port;
        options.backplane.channel_prefix = redis_channel_prefix;
        options.tls_certificate_file = tls_cert;
        options.tls_private_key_file = tls_key;
        server::apply_target_settings(t, options);
        options.hub.enable_detailed_errors = true; // as the harness's embedded target: ThrowException's text shows
        options.log_to_stderr = log;
        server_ = std::make_unique<server::server>(options);
        server::add_contract_endpoints(*server_);
        port_ = server_->listen(host, 0);
        origin_ = (tls_cert.empty() ? "http://" : "https://") + host + ":" + std::to_string(port_);
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
        // Timings by the settings table's Python names; missing ones take the embedded target's value.
        .def(py::init([](const std::map<std::string, std::int64_t>& timings, const std::string& host, bool log,
                         const std::string& tls_cert, const std::string& tls_key, const std::string& redis_host,
                         std::uint16_t redis_port, const std::string& redis_channel_prefix) {
                 auto settings = protocol::embedded_target_settings();
                 for (const auto& [name, v] : timings) {
                     const auto* row = protocol::find_target_setting(name);
                     if (!row || !row->in_python) throw py::type_error("unknown timing: " + name);
                     row->set(settings, v);
                 }
                 return std::make_unique<py_server>(settings, host, log, tls_cert, tls_key, redis_host, redis_port,
                                                    redis_channel_prefix);
             }),
             py::arg("timings"), py::arg("host") = "127.0.0.1", py::arg("log") = false, py::arg("tls_cert") = "",
             py::arg("tls_key") = "", py::arg("redis_host") = "", py::arg("redis_port") = 6379,
             py::arg("redis_channel_prefix") = "")
        .def("stop", &py_server::stop)
        .def_property_readonly("running", &py_server::running)
        .def_property_readonly("port", &py_server::port)
        .def_property_readonly("origin", &py_server::origin);
    // The embedded target's timings by Python name (hubspec.EMBEDDED_TIMINGS), from the settings table.
    m.def("_embedded_timings", [] {
        py::dict d;
        for (const auto& row : protocol::target_setting_table)
            if (row.in_python) d[py::str(std::string(row.name))] = row.embedded;
        return d;
    });
}

} // namespace hubspec::python
