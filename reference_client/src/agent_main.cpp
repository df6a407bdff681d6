// hubspec-client-agent: the reference client behind the client agent contract
// (shared/spec/conformance-hub.md, "Client agent contract"), so that `hubspec run
// --client` tests it like any other client. --violate breaks one requirement on
// purpose (hubspec/client/violations.hpp) for the harness's own tests.
#include <hubspec/client.hpp>
#include <hubspec/client/violations.hpp>
#include <hubspec/protocol/detail/helpers.hpp>
#include <hubspec/protocol/json_value.hpp>

#include <CLI/CLI.hpp>

#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

namespace client = hubspec::client;

namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

/// One contract line on stdout: {"event":…,"client":"hubspec",…}; fields are string pairs.
void emit(std::string_view event, const std::vector<std::pair<std::string, std::optional<std::string>>>& fields = {}) {
    static std::mutex mutex;
    std::string line = "{\"event\":";
    hubspec::protocol::write_json_string(event, line);
    line += ",\"client\":\"hubspec\"";
    for (const auto& [name, value] : fields) {
        line += ',';
        hubspec::protocol::write_json_string(name, line);
        line += ':';
        if (value)
            hubspec::protocol::write_json_string(*value, line);
        else
            line += "null";
    }
    line += "}\n";
    std::lock_guard lock(mutex);
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
}

std::optional<std::chrono::milliseconds> env_ms(const char* name) {
    const auto text = env(name);
    if (text.empty()) return std::nullopt;
    try {
        return std::chrono::milliseconds(std::stoll(text));
    } catch (const std::exception&) {
        std::fprintf(stderr, "hubspec-client-agent: %s must be a number of milliseconds, got '%s'\n", name,
                     text.c_str());
        std::exit(2);
    }
}

/// What a fire-and-forget call of the agent does with its failure: says so on stderr.
std::function<void(std::exception_ptr)> report_failure(std::string what) {
    return [what = std::move(what)](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& failure) {
            std::fprintf(stderr, "hubspec-client-agent: %s failed: %s\n", what.c_str(), failure.what());
        }
    };
}

/// A server-to-client stream the agent cancels at its first item; the lock keeps the item
/// callback from running before the subscription it cancels is stored.
struct cancel_at_first_item {
    std::mutex mutex;
    client::stream_subscription subscription;
    bool cancelled = false;
};

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"The reference client as a client agent (conformance-hub.md): reads HUBSPEC_URL, "
                 "HUBSPEC_TRANSPORT, HUBSPEC_PROTOCOL, HUBSPEC_SCENARIO and, when set, HUBSPEC_KEEPALIVE_MS and "
                 "HUBSPEC_SERVER_TIMEOUT_MS",
                 "hubspec-client-agent"};
    std::vector<std::string> violations;
    bool list = false;
    app.add_option("--violate", violations, "break one client requirement on purpose (repeatable; tests only)")
        ->check([](const std::string& name) {
            return client::find_violation(name) ? std::string{}
                                                : "unknown violation '" + name + "' (see --list-violations)";
        });
    app.add_flag("--list-violations", list, "print every --violate switch with the requirement it breaks");
    app.set_version_flag("--version", "hubspec-client-agent 0.1.0");
    CLI11_PARSE(app, argc, argv);
    if (list) {
        for (const auto& v : client::violation_table)
            std::cout << v.name << "  " << v.requirement << "  " << v.description << "\n";
        return 0;
    }

    const auto url = env("HUBSPEC_URL");
    const auto transport = env("HUBSPEC_TRANSPORT");
    const auto protocol = env("HUBSPEC_PROTOCOL").empty() ? std::string("json") : env("HUBSPEC_PROTOCOL");
    if (url.empty()) {
        std::fprintf(stderr, "hubspec-client-agent: HUBSPEC_URL is not set\n");
        return 2;
    }
    client::hub_connection_builder builder;
    builder.with_url(url).with_automatic_reconnect().with_stateful_reconnect();
    const auto chosen = hubspec::protocol::parse_transport_option(hubspec::protocol::detail::to_lower(transport));
    if (chosen)
        builder.with_transport(*chosen);
    else if (!transport.empty()) {
        emit("unsupported", {{"transport", transport}, {"reason", "unknown transport"}});
        return 127;
    }
    if (protocol == "messagepack")
        builder.with_hub_protocol(client::hub_protocol_kind::messagepack);
    else if (protocol != "json") {
        emit("unsupported", {{"protocol", protocol}, {"reason", "unknown protocol"}});
        return 127;
    }
    if (chosen == client::transport_type::server_sent_events && protocol == "messagepack") {
        emit("unsupported", {{"transport", transport}, {"protocol", protocol}, {"reason", "SSE carries text only"}});
        return 127;
    }
    if (auto ms = env_ms("HUBSPEC_KEEPALIVE_MS")) builder.with_keep_alive_interval(*ms);
    if (auto ms = env_ms("HUBSPEC_SERVER_TIMEOUT_MS")) builder.with_server_timeout(*ms);
    client::violation_set broken;
    for (const auto& name : violations)
        broken.insert(*client::find_violation(name));
    builder.with_violations(broken);

    auto connection = builder.build();
    std::mutex mutex;
    std::condition_variable changed;
    bool stop_asked = false;
    std::optional<int> exit_code;

    connection.on("Echo", [&connection](const client::arguments& args) {
        connection.send_async("EchoReply", args, {}, report_failure("EchoReply"));
    });
    // Streaming extras of hubspec's client suite (scenarios/client/streaming.yaml): the server asks
    // for a stream, the agent answers with EchoReply once it is over.
    auto reply_with = [&connection](client::value reply) {
        connection.send_async("EchoReply", {std::move(reply)}, {}, report_failure("EchoReply"));
    };
    connection.on("StreamFrom", [&connection, reply_with](const client::arguments& args) {
        auto items = std::make_shared<hubspec::protocol::array>();
        connection.stream_async(
            "Stream", {args.empty() ? client::value{} : args[0], client::value{std::int64_t{10}}}, {},
            [items](const client::value& item) { items->push_back(item); },
            [items, reply_with](std::exception_ptr e) {
                reply_with(e ? client::value{"stream failed"} : client::value{*items});
            });
    });
    connection.on("CancelStream", [&connection, reply_with](const client::arguments&) {
        auto state = std::make_shared<cancel_at_first_item>();
        std::lock_guard lock(state->mutex);
        state->subscription = connection.stream_async(
            "InfiniteStream", {client::value{std::int64_t{20}}}, {},
            [state, reply_with](const client::value&) {
                std::lock_guard item_lock(state->mutex);
                if (std::exchange(state->cancelled, true)) return;
                state->subscription.cancel(); // CancelInvocation
                reply_with(client::value{"cancelled"});
            },
            [](std::exception_ptr) {});
    });
    connection.on("UploadFrom", [&connection, reply_with](const client::arguments& args) {
        client::upload_stream upload;
        connection.invoke_async("UploadConcat", {}, {upload}, [reply_with](std::exception_ptr e, client::value result) {
            reply_with(e ? client::value{"upload failed"} : std::move(result));
        });
        if (!args.empty())
            if (const auto* items = args[0].get_if<hubspec::protocol::array>())
                for (const auto& item : *items)
                    upload.write(item);
        upload.complete();
    });
    connection.on("Result", [](const client::arguments& args) { return args.empty() ? client::value{} : args[0]; });
    connection.on("Stop", [&](const client::arguments&) {
        std::lock_guard lock(mutex);
        stop_asked = true;
        changed.notify_all();
    });
    connection.on_reconnecting([](const std::optional<std::string>& error) {
        emit("reconnecting", {{"error", error}});
    });
    connection.on_reconnected([](const std::optional<std::string>& id) {
        emit("reconnected", {{"connectionId", id}});
    });
    connection.on_close([&](const std::optional<std::string>& error) {
        emit("closed", {{"error", error}});
        std::lock_guard lock(mutex);
        exit_code = stop_asked || !error ? 0 : 1;
        changed.notify_all();
    });

    try {
        connection.start().get();
    } catch (const std::exception& e) {
        emit("closed", {{"error", std::string("start failed: ") + e.what()}});
        std::fflush(stdout);
        _exit(1);
    }
    emit("connected", {{"connectionId", connection.connection_id()},
                       {"transport", transport.empty() ? std::nullopt : std::optional(transport)},
                       {"protocol", protocol}});

    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return stop_asked || exit_code.has_value(); });
    if (!exit_code) {
        lock.unlock();
        connection.stop().get(); // on_close reports the end
        lock.lock();
        changed.wait(lock, [&] { return exit_code.has_value(); });
    }
    std::fflush(stdout);
    return *exit_code;
}
