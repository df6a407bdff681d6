#pragma once
// Shared pieces of the hubspec._hubspec extension: value conversion, the errors
// Python sees (hubspec.errors), and waiting on C++ futures without holding the GIL.

#include <hubspec/protocol/value.hpp>

#include <pybind11/pybind11.h>

#include <chrono>
#include <future>
#include <optional>
#include <stdexcept>
#include <string>

namespace hubspec::python {

namespace py = pybind11;

/// Raised into Python as hubspec.errors.<kind>(message): "HubError", "ScenarioError", ...
class python_error : public std::runtime_error {
public:
    python_error(std::string kind, const std::string& message) : std::runtime_error(message), kind_(std::move(kind)) {}
    const std::string& kind() const noexcept { return kind_; }

private:
    std::string kind_;
};

/// Python None/bool/int/float/str/bytes/list/tuple/dict/Extension -> value; TypeError or OverflowError otherwise.
protocol::value to_value(py::handle object);
/// The reverse: bytes for binary, int for both integer kinds, Extension for extensions.
py::object from_value(const protocol::value& v);

/// Waits for `future` with the GIL released, in slices so Ctrl-C still reaches Python.
/// nullopt timeout waits forever; on timeout raises TimeoutError.
template <class T>
T wait_for(std::future<T>& future, std::optional<double> timeout_seconds) {
    const auto deadline = timeout_seconds ? std::chrono::steady_clock::now() +
                                                std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                    std::chrono::duration<double>(*timeout_seconds))
                                          : std::chrono::steady_clock::time_point::max();
    for (;;) {
        std::future_status status;
        {
            py::gil_scoped_release release;
            status = future.wait_for(std::chrono::milliseconds(100));
        }
        if (status == std::future_status::ready) break;
        if (PyErr_CheckSignals() != 0) throw py::error_already_set();
        if (std::chrono::steady_clock::now() >= deadline) throw python_error("Timeout", "timed out");
    }
    py::gil_scoped_release release; // get() may run the connection's destructors of captured state
    return future.get();
}

void bind_values(py::module_& m);
void bind_server(py::module_& m);
void bind_client(py::module_& m);
void bind_harness(py::module_& m);

} // namespace hubspec::python
