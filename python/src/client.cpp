// The reference client for Python. Every wait releases the GIL; handlers and
// state callbacks run on the connection's dispatcher thread and take the GIL there.

#include "bindings.hpp"

#include <hubspec/client/hub_connection.hpp>
#include <hubspec/client/hub_connection_builder.hpp>
#include <hubspec/protocol/detail/helpers.hpp>
#include <hubspec/protocol/negotiate.hpp>

#include <pybind11/stl.h>

#include <map>
#include <memory>

namespace hubspec::python {
namespace {

using std::chrono::milliseconds;

client::transport_type parse_transport(std::string name) {
    if (auto t = protocol::parse_transport_option(protocol::detail::to_lower(name))) return *t;
    throw py::value_error("unknown transport `" + name + "` (websockets, serversentevents, longpolling)");
}

client::hub_protocol_kind parse_protocol(const std::string& name) {
    if (name == "json") return client::hub_protocol_kind::json;
    if (name == "messagepack" || name == "msgpack") return client::hub_protocol_kind::messagepack;
    throw py::value_error("unknown protocol `" + name + "` (json, messagepack)");
}

/// Whether Python can still run code: a dispatcher thread must not take the GIL during shutdown.
bool python_alive() {
    return Py_IsInitialized() != 0 && _Py_IsFinalizing() == 0;
}

/// Calls a Python callback; its exception is reported as unraisable, never thrown into the dispatcher.
void call_quietly(const py::object& callback, py::object argument, const char* where) {
    if (!callback || callback.is_none()) return;
    try {
        callback(std::move(argument));
    } catch (py::error_already_set& e) {
        e.discard_as_unraisable(where);
    }
}

py::object optional_text(const std::optional<std::string>& text) {
    return text ? py::object(py::str(*text)) : py::object(py::none());
}

/// Python objects the connection's C++ callbacks reach; only touched with the GIL held.
struct callbacks {
    py::object on_close, on_reconnecting, on_reconnected;
    std::map<client::hub_connection::handler_id, py::object> handlers;
};

client::arguments to_arguments(const py::iterable& args) {
    client::arguments out;
    for (auto item : args)
        out.push_back(to_value(item));
    return out;
}

class py_stream {
public:
    explicit py_stream(client::stream_reader reader) : reader_(std::move(reader)) {}

    /// The next item; raises StopIteration at the end, HubError if the server ended it with an error.
    py::object next(std::optional<double> timeout_seconds) {
        std::optional<protocol::value> item;
        {
            py::gil_scoped_release release;
            item = timeout_seconds ? reader_.next(std::chrono::duration_cast<milliseconds>(
                                         std::chrono::duration<double>(*timeout_seconds)))
                                   : reader_.next();
        }
        if (!item) throw py::stop_iteration();
        return from_value(*item);
    }

    void cancel() {
        py::gil_scoped_release release;
        reader_.cancel();
    }

private:
    client::stream_reader reader_;
};

class py_connection {
public:
    py_connection(client::connection_options options, std::optional<double> start_timeout)
        : callbacks_(std::make_unique<callbacks>()) {
        {
            py::gil_scoped_release release;
            connection_ = std::make_unique<client::hub_connection>(std::move(options));
        }
        auto* cb = callbacks_.get();
        connection_->on_close([cb](const std::optional<std::string>& error) {
            if (!python_alive()) return;
            py::gil_scoped_acquire gil;
            call_quietly(cb->on_close, optional_text(error), "hubspec on_close callback");
        });
        connection_->on_reconnecting([cb](const std::optional<std::string>& error) {
            if (!python_alive()) return;
            py::gil_scoped_acquire gil;
            call_quietly(cb->on_reconnecting, optional_text(error), "hubspec on_reconnecting callback");
        });
        connection_->on_reconnected([cb](const std::optional<std::string>& id) {
            if (!python_alive()) return;
            py::gil_scoped_acquire gil;
            call_quietly(cb->on_reconnected, optional_text(id), "hubspec on_reconnected callback");
        });
        auto started = connection_->start();
        try {
            wait_for(started, start_timeout);
        } catch (...) {
            close();
            throw;
        }
    }

    ~py_connection() { close(); }

    /// Destroys the connection (joining its threads) without the GIL: its dispatcher may be waiting for it.
    void close() {
        if (!connection_) return;
        py::gil_scoped_release release;
        connection_.reset();
    }

    client::hub_connection& connection() {
        if (!connection_) throw python_error("HubConnectionError", "the connection is closed");
        return *connection_;
    }

    py::object invoke(std::string method, const py::iterable& args, std::optional<double> timeout) {
        auto arguments = to_arguments(args);
        std::future<protocol::value> result;
        {
            py::gil_scoped_release release;
            result = connection().invoke(std::move(method), std::move(arguments));
        }
        return from_value(wait_for(result, timeout));
    }

    void send(std::string method, const py::iterable& args, std::optional<double> timeout) {
        auto arguments = to_arguments(args);
        std::future<void> sent;
        {
            py::gil_scoped_release release;
            sent = connection().send(std::move(method), std::move(arguments));
        }
        wait_for(sent, timeout);
    }

    py_stream stream(std::string method, const py::iterable& args) {
        auto arguments = to_arguments(args);
        py::gil_scoped_release release;
        return py_stream(connection().stream(std::move(method), std::move(arguments)));
    }

    /// Invokes `method` with the arguments and one client-to-server stream of `items`, returns its result.
    py::object upload(std::string method, const py::iterable& items, const py::iterable& args,
                      std::optional<double> timeout) {
        auto arguments = to_arguments(args);
        client::upload_stream upload;
        std::future<protocol::value> result;
        {
            py::gil_scoped_release release;
            result = connection().invoke(std::move(method), std::move(arguments), {upload});
        }
        try {
            for (auto item : items)
                upload.write(to_value(item));
        } catch (py::error_already_set& e) {
            upload.complete(std::string(py::str(e.value())));
            throw;
        }
        upload.complete();
        return from_value(wait_for(result, timeout));
    }

    client::hub_connection::handler_id on(const std::string& method, py::function handler) {
        auto* cb = callbacks_.get();
        auto id_holder = std::make_shared<client::hub_connection::handler_id>(0);
        client::hub_connection::handler_id id = 0;
        {
            py::gil_scoped_release release;
            id = connection().on_raw(
                method, [cb, id_holder](const client::arguments& args) -> std::optional<protocol::value> {
                    if (!python_alive()) return std::nullopt;
                    py::gil_scoped_acquire gil;
                    const auto found = cb->handlers.find(*id_holder);
                    if (found == cb->handlers.end()) return std::nullopt;
                    std::string error;
                    try {
                        py::list items;
                        for (const auto& a : args)
                            items.append(from_value(a));
                        py::object returned = found->second(*items);
                        if (returned.is_none()) return std::nullopt;
                        return to_value(returned);
                    } catch (py::error_already_set& e) {
                        error = std::string(py::str(e.value())); // the client sends it as the client result's error
                    }
                    throw std::runtime_error(error);
                });
            *id_holder = id;
        }
        callbacks_->handlers[id] = std::move(handler);
        return id;
    }

    void off(const std::string& method, std::optional<client::hub_connection::handler_id> id) {
        {
            py::gil_scoped_release release;
            if (id)
                connection().off(method, *id);
            else
                connection().off(method);
        }
        if (id) callbacks_->handlers.erase(*id);
    }

    void stop(std::optional<double> timeout) {
        if (!connection_) return;
        std::future<void> stopped;
        {
            py::gil_scoped_release release;
            stopped = connection_->stop();
        }
        wait_for(stopped, timeout);
    }

    std::string state() const {
        return connection_ ? std::string(client::to_string(connection_->state())) : "Disconnected";
    }
    std::optional<std::string> connection_id() const {
        return connection_ ? connection_->connection_id() : std::nullopt;
    }

    callbacks& events() { return *callbacks_; }

private:
    std::unique_ptr<callbacks> callbacks_; // outlives connection_, whose callbacks point into it
    std::unique_ptr<client::hub_connection> connection_;
};

std::unique_ptr<py_connection>
make_connection(const std::string& url, const std::vector<std::string>& transports, const std::string& protocol,
                bool skip_negotiation, const std::map<std::string, std::string>& headers, py::object access_token,
                py::object reconnect, std::optional<long> keepalive_ms, std::optional<long> server_timeout_ms,
                std::optional<long> handshake_timeout_ms, std::optional<double> timeout) {
    client::hub_connection_builder builder;
    builder.with_url(url).with_hub_protocol(parse_protocol(protocol)).with_skip_negotiation(skip_negotiation);
    for (const auto& t : transports)
        builder.with_transport(parse_transport(t));
    for (const auto& [name, text] : headers)
        builder.with_header(name, text);
    if (py::isinstance<py::str>(access_token)) {
        builder.with_access_token_provider([token = access_token.cast<std::string>()] { return token; });
    } else if (!access_token.is_none()) {
        // A callable, asked before each connect on the client's I/O thread.
        // The connection may drop its copy on a thread without the GIL: the deleter takes it.
        auto provider = std::shared_ptr<py::object>(new py::object(std::move(access_token)), [](py::object* p) {
            py::gil_scoped_acquire gil;
            delete p;
        });
        builder.with_access_token_provider([provider]() -> std::string {
            py::gil_scoped_acquire gil;
            return (*provider)().cast<std::string>();
        });
    }
    if (reconnect.is_none() || (py::isinstance<py::bool_>(reconnect) && !reconnect.cast<bool>())) {
    } else if (py::isinstance<py::bool_>(reconnect)) {
        builder.with_automatic_reconnect();
    } else {
        std::vector<milliseconds> delays;
        for (auto d : reconnect)
            delays.emplace_back(d.cast<long>());
        builder.with_automatic_reconnect(std::move(delays));
    }
    if (keepalive_ms) builder.with_keep_alive_interval(milliseconds(*keepalive_ms));
    if (server_timeout_ms) builder.with_server_timeout(milliseconds(*server_timeout_ms));
    if (handshake_timeout_ms) builder.with_handshake_timeout(milliseconds(*handshake_timeout_ms));
    return std::make_unique<py_connection>(builder.options(), timeout);
}

} // namespace

void bind_client(py::module_& m) {
    py::class_<py_stream>(m, "_Stream")
        .def("next", &py_stream::next, py::arg("timeout") = py::none())
        .def("cancel", &py_stream::cancel);

    py::class_<py_connection>(m, "_Connection")
        .def(py::init(&make_connection), py::arg("url"), py::arg("transports"), py::arg("protocol"),
             py::arg("skip_negotiation"), py::arg("headers"), py::arg("access_token"), py::arg("reconnect"),
             py::arg("keepalive_ms"), py::arg("server_timeout_ms"), py::arg("handshake_timeout_ms"), py::arg("timeout"))
        .def("invoke", &py_connection::invoke, py::arg("method"), py::arg("args"), py::arg("timeout"))
        .def("send", &py_connection::send, py::arg("method"), py::arg("args"), py::arg("timeout"))
        .def("stream", &py_connection::stream, py::arg("method"), py::arg("args"))
        .def("upload", &py_connection::upload, py::arg("method"), py::arg("items"), py::arg("args"), py::arg("timeout"))
        .def("on", &py_connection::on, py::arg("method"), py::arg("handler"))
        .def("off", &py_connection::off, py::arg("method"), py::arg("id") = py::none())
        .def("stop", &py_connection::stop, py::arg("timeout") = py::none())
        .def("close", &py_connection::close)
        .def_property_readonly("state", &py_connection::state)
        .def_property_readonly("connection_id", &py_connection::connection_id)
        .def_property(
            "on_close", [](py_connection& c) { return c.events().on_close; },
            [](py_connection& c, py::object f) { c.events().on_close = std::move(f); })
        .def_property(
            "on_reconnecting", [](py_connection& c) { return c.events().on_reconnecting; },
            [](py_connection& c, py::object f) { c.events().on_reconnecting = std::move(f); })
        .def_property(
            "on_reconnected", [](py_connection& c) { return c.events().on_reconnected; },
            [](py_connection& c, py::object f) { c.events().on_reconnected = std::move(f); });
}

} // namespace hubspec::python
