#include "load/echo_call.hpp"

#include "load/connection_set.hpp"

namespace hubspec::harness::load {

std::string echo_payload(std::uint64_t number, std::size_t bytes) {
    auto payload = std::to_string(number);
    payload.push_back(':');
    payload.resize(bytes, 'x');
    return payload;
}

void call_echo(client::hub_connection& connection, const std::string& method, std::string payload, load_window& window,
               load_window::clock::time_point due, std::function<void(bool failed)> after) {
    window.began();
    client::arguments args{protocol::value{payload}};
    connection.invoke_async(method, std::move(args), {},
                            [&window, &method, payload = std::move(payload), due,
                             after = std::move(after)](std::exception_ptr error, protocol::value result) {
                                bool failed = true;
                                if (error) {
                                    window.failed(method + ": " + describe(error));
                                } else if (const auto* text = result.as_string(); !text || *text != payload) {
                                    window.failed(method + " answered something else than its argument (sent " +
                                                  std::to_string(payload.size()) + " characters, got a " +
                                                  std::string(protocol::kind_name(result.kind())) + ")");
                                } else {
                                    window.succeeded(load_window::clock::now() - due);
                                    failed = false;
                                }
                                if (after) after(failed);
                                window.ended();
                            });
}

} // namespace hubspec::harness::load
