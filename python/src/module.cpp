// hubspec._hubspec: the C++ engine under the Python package hubspec (design §9).

#include "bindings.hpp"

#include <hubspec/client/errors.hpp>

namespace hubspec::python {
namespace {

/// Raises hubspec.errors.<kind>(message) as the current Python error.
void raise(const char* kind, const char* message) {
    py::object cls = py::module_::import("hubspec.errors").attr(kind);
    py::object error = cls(message);
    PyErr_SetObject(cls.ptr(), error.ptr());
}

} // namespace
} // namespace hubspec::python

PYBIND11_MODULE(_hubspec, m) {
    using namespace hubspec::python;
    m.doc() = "The C++ engine of hubspec: reference server, reference client, scenario engine, reports";
    py::register_exception_translator([](std::exception_ptr thrown) {
        try {
            if (thrown) std::rethrow_exception(thrown);
        } catch (const python_error& e) {
            raise(e.kind().c_str(), e.what());
        } catch (const hubspec::client::hub_exception& e) {
            raise("HubError", e.what());
        } catch (const hubspec::client::connection_exception& e) {
            raise("HubConnectionError", e.what());
        }
    });
    bind_values(m);
    bind_server(m);
    bind_client(m);
    bind_harness(m);
}
