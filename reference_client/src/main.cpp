// hubspec-client: the console chat client (design §4, contract). Each stdin line
// is sent as SendMessage(user, line); each ReceiveMessage(user, message) is
// printed as `user: message`; at end of input it waits for pending invocations.
#include <hubspec/client.hpp>
#include <hubspec/protocol/detail/helpers.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <string>
#include <unistd.h>
#include <vector>

namespace client = hubspec::client;

namespace {

[[noreturn]] void fail(const std::string& reason) {
    std::cout.flush();
    std::fprintf(stderr, "hubspec-client: %s\n", reason.c_str());
    std::fflush(stderr);
    _exit(1);
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"Console chat client for a SignalR chat hub (SendMessage / ReceiveMessage)", "hubspec-client"};
    std::string url;
    std::string transport;
    std::string protocol = "json";
    std::string user = "user";
    app.add_option("url", url, "hub URL, e.g. http://127.0.0.1:5000/chat or https://host/chat")->required();
    app.add_option("--transport", transport, "websockets, serversentevents or longpolling (default: the best offered)");
    app.add_option("--protocol", protocol, "json or messagepack")->default_val("json");
    app.add_option("--user", user, "the name messages are sent under")->default_val("user");
    std::vector<std::string> headers;
    std::string access_token, access_token_command;
    app.add_option("--header", headers, "NAME:VALUE sent with every request and upgrade (repeatable)");
    auto* token_option =
        app.add_option("--access-token", access_token,
                       "Authorization: Bearer on HTTP, access_token in the query for WebSockets and SSE");
    app.add_option("--access-token-command", access_token_command,
                   "a shell command run for each connection; its output is the access token")
        ->excludes(token_option);
    client::tls_options tls;
    app.add_option("--ca-file", tls.ca_file, "PEM file of CAs trusted for https:// and wss:// besides the system's")
        ->check(CLI::ExistingFile);
    app.add_flag("--insecure", tls.insecure, "do not check the server's TLS certificate (self-signed test servers)");
    app.set_version_flag("--version", "hubspec-client 0.1.0");
    CLI11_PARSE(app, argc, argv);

    client::hub_connection_builder builder;
    builder.with_url(url);
    builder.with_tls(tls);
    for (const auto& line : headers) {
        const auto colon = line.find(':');
        if (colon == std::string::npos || colon == 0) {
            std::fprintf(stderr, "hubspec-client: --header wants NAME:VALUE, got '%s'\n", line.c_str());
            return 2;
        }
        const auto value = line.find_first_not_of(' ', colon + 1);
        builder.with_header(line.substr(0, colon), value == std::string::npos ? std::string() : line.substr(value));
    }
    if (!access_token.empty()) builder.with_access_token_provider([access_token] { return access_token; });
    if (!access_token_command.empty())
        builder.with_access_token_provider(
            [access_token_command] { return client::token_from_command(access_token_command); });
    auto t = hubspec::protocol::detail::to_lower(transport);
    const auto chosen = hubspec::protocol::parse_transport_option(t);
    if (chosen)
        builder.with_transport(*chosen);
    else if (!t.empty()) {
        std::fprintf(stderr, "hubspec-client: unknown transport '%s' (websockets, serversentevents, longpolling)\n",
                     transport.c_str());
        return 2;
    }
    auto p = hubspec::protocol::detail::to_lower(protocol);
    if (p == "messagepack")
        builder.with_hub_protocol(client::hub_protocol_kind::messagepack);
    else if (p != "json") {
        std::fprintf(stderr, "hubspec-client: unknown protocol '%s' (json, messagepack)\n", protocol.c_str());
        return 2;
    }

    // SSE is text only (SSE-009): say so before connecting rather than after a failed negotiate.
    if (t == "serversentevents" && p == "messagepack") {
        std::fprintf(stderr, "hubspec-client: the serversentevents transport cannot carry messagepack (it is text "
                             "only); use --protocol json or another transport\n");
        return 2;
    }

    auto connection = builder.build();
    connection.on("ReceiveMessage", [](const client::arguments& args) {
        auto text = [](const client::value& v) {
            if (auto s = v.as_string()) return *s;
            return std::string(hubspec::protocol::kind_name(v.kind()));
        };
        std::cout << (args.size() > 0 ? text(args[0]) : "") << ": " << (args.size() > 1 ? text(args[1]) : "")
                  << std::endl;
    });
    std::mutex stopping_mutex;
    bool stopping = false;
    connection.on_close([&](const std::optional<std::string>& error) {
        std::lock_guard lock(stopping_mutex);
        if (!stopping) fail("connection closed: " + error.value_or("the server ended the connection"));
    });

    try {
        connection.start().get();
    } catch (const std::exception& e) {
        fail("cannot connect to " + url + ": " + e.what());
    }

    std::vector<std::future<client::value>> pending;
    std::string line;
    while (std::getline(std::cin, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        pending.push_back(connection.invoke("SendMessage", {user, line}));
    }
    int status = 0;
    for (auto& f : pending) {
        try {
            f.get();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "hubspec-client: SendMessage failed: %s\n", e.what());
            status = 1;
        }
    }
    {
        std::lock_guard lock(stopping_mutex);
        stopping = true;
    }
    connection.stop().get();
    return status;
}
