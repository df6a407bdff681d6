// Python values <-> the protocol core's value model, without loss both ways:
// bytes stay binary, integers up to 2**64-1 stay exact, extensions pass through.

#include "bindings.hpp"

#include <climits>
#include <cmath>
#include <string_view>

namespace hubspec::python {
namespace {

/// A MessagePack extension value (type -1 is the timestamp).
struct extension_value {
    std::int8_t type = 0;
    py::bytes data;
};

protocol::value integer_value(py::handle object) {
    int overflow = 0;
    const long long i = PyLong_AsLongLongAndOverflow(object.ptr(), &overflow);
    if (overflow == 0) {
        if (i == -1 && PyErr_Occurred()) throw py::error_already_set();
        return protocol::value{static_cast<std::int64_t>(i)};
    }
    if (overflow > 0) {
        const unsigned long long u = PyLong_AsUnsignedLongLong(object.ptr());
        if (!PyErr_Occurred()) return protocol::value{static_cast<std::uint64_t>(u)};
        PyErr_Clear();
    }
    throw py::value_error("integer out of range: hub values hold -2**63 .. 2**64-1");
}

std::vector<std::uint8_t> byte_vector(py::handle object) {
    const py::buffer_info info = py::reinterpret_borrow<py::buffer>(object).request();
    const auto* data = static_cast<const std::uint8_t*>(info.ptr);
    return {data, data + info.size * info.itemsize};
}

} // namespace

protocol::value to_value(py::handle object) {
    if (object.is_none()) return protocol::value{};
    if (PyBool_Check(object.ptr())) return protocol::value{object.ptr() == Py_True};
    if (PyLong_Check(object.ptr())) return integer_value(object);
    if (PyFloat_Check(object.ptr())) return protocol::value{PyFloat_AsDouble(object.ptr())};
    if (PyUnicode_Check(object.ptr())) return protocol::value{object.cast<std::string>()};
    if (PyBytes_Check(object.ptr()) || PyByteArray_Check(object.ptr()) || PyMemoryView_Check(object.ptr()))
        return protocol::value{protocol::binary{byte_vector(object)}};
    if (PyList_Check(object.ptr()) || PyTuple_Check(object.ptr())) {
        protocol::array items;
        for (auto item : object)
            items.push_back(to_value(item));
        return protocol::value{std::move(items)};
    }
    if (PyDict_Check(object.ptr())) {
        protocol::map entries;
        for (auto [key, item] : py::reinterpret_borrow<py::dict>(object))
            entries.push_back({to_value(key), to_value(item)});
        return protocol::value{std::move(entries)};
    }
    if (py::isinstance<extension_value>(object)) {
        const auto& e = object.cast<const extension_value&>();
        const std::string data = e.data;
        return protocol::value{protocol::extension{e.type, {data.begin(), data.end()}}};
    }
    throw py::type_error("cannot send a " + std::string(py::str(object.get_type().attr("__name__"))) +
                         " as a hub value (None, bool, int, float, str, bytes, list, tuple, dict, Extension)");
}

py::object from_value(const protocol::value& v) {
    switch (v.kind()) {
    case protocol::value_kind::null: return py::none();
    case protocol::value_kind::boolean: return py::bool_(*v.get_if<bool>());
    case protocol::value_kind::integer: return py::int_(*v.get_if<std::int64_t>());
    case protocol::value_kind::unsigned_integer: return py::int_(*v.get_if<std::uint64_t>());
    case protocol::value_kind::floating: return py::float_(*v.get_if<double>());
    case protocol::value_kind::string: return py::str(*v.get_if<std::string>());
    case protocol::value_kind::binary: {
        const auto& bytes = v.get_if<protocol::binary>()->bytes;
        return py::bytes(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    }
    case protocol::value_kind::array: {
        py::list items;
        for (const auto& item : *v.get_if<protocol::array>())
            items.append(from_value(item));
        return items;
    }
    case protocol::value_kind::map: {
        py::dict entries;
        for (const auto& entry : *v.get_if<protocol::map>()) {
            py::object key = from_value(entry.key);
            if (PyList_Check(key.ptr()))
                key = py::tuple(key); // MessagePack allows array keys; a dict needs hashable ones
            entries[key] = from_value(entry.item);
        }
        return entries;
    }
    case protocol::value_kind::extension: {
        const auto& e = *v.get_if<protocol::extension>();
        return py::cast(
            extension_value{e.type, py::bytes(reinterpret_cast<const char*>(e.data.data()), e.data.size())});
    }
    }
    return py::none();
}

void bind_values(py::module_& m) {
    py::class_<extension_value>(m, "Extension", "A MessagePack extension value (type -1 is the timestamp).")
        .def(py::init([](int type, py::bytes data) {
                 if (type < -128 || type > 127) throw py::value_error("extension type is -128 .. 127");
                 return extension_value{static_cast<std::int8_t>(type), std::move(data)};
             }),
             py::arg("type"), py::arg("data"))
        .def_property_readonly("type", [](const extension_value& e) { return static_cast<int>(e.type); })
        .def_property_readonly("data", [](const extension_value& e) { return e.data; })
        .def("__eq__",
             [](const extension_value& a, py::object b) {
                 if (!py::isinstance<extension_value>(b)) return false;
                 const auto& other = b.cast<const extension_value&>();
                 return a.type == other.type && a.data.equal(other.data);
             })
        .def("__hash__",
             [](const extension_value& e) { return py::hash(py::make_tuple(static_cast<int>(e.type), e.data)); })
        .def("__repr__", [](const extension_value& e) {
            return "Extension(type=" + std::to_string(e.type) + ", data=" + std::string(py::repr(e.data)) + ")";
        });
    // Round trip through the C++ model, for tests and for checking what a value becomes.
    m.def("_round_trip", [](py::handle object) { return from_value(to_value(object)); });
}

} // namespace hubspec::python
