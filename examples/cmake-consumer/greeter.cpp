// An application's own hub served by an embedded hubspec::server, called by hubspec::client
// over each transport: what a project that links the installed package can do.
#include <hubspec/client/hub_connection_builder.hpp>
#include <hubspec/server/hub.hpp>
#include <hubspec/server/server.hpp>

#include <iostream>
#include <string>
#include <thread>

int main() {
    hubspec::server::hub greeter;
    greeter.method("Greet", [](hubspec::server::hub_call&, std::string name) { return "Hello, " + name + "!"; });

    hubspec::server::server server;
    server.add_hub("/greeter", std::move(greeter));
    const auto port = server.listen("127.0.0.1", 0);
    std::thread io([&server] { server.run(); });

    int failures = 0;
    using hubspec::client::transport_type;
    for (auto transport :
         {transport_type::websockets, transport_type::server_sent_events, transport_type::long_polling}) {
        auto connection = hubspec::client::hub_connection_builder()
                              .with_url("http://127.0.0.1:" + std::to_string(port) + "/greeter")
                              .with_transport(transport)
                              .build();
        try {
            connection.start().get();
            const auto reply =
                connection.invoke_as<std::string>("Greet", {hubspec::client::value{std::string("consumer")}}).get();
            std::cout << reply << "\n";
            failures += reply == "Hello, consumer!" ? 0 : 1;
            connection.stop().get();
        } catch (const std::exception& e) {
            std::cerr << "greeter: " << e.what() << "\n";
            ++failures;
        }
    }
    server.stop();
    io.join();
    return failures == 0 ? 0 : 1;
}
