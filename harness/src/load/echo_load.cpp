// Echo mode: closed loop. Each connection keeps `in_flight` Echo calls outstanding: every answer
// sends the next call at once, so throughput is what the target answers, at that concurrency.

#include "load/echo_call.hpp"
#include "load/load_driver.hpp"

#include <atomic>

namespace hubspec::harness::load {
namespace {

class echo_driver : public load_driver {
public:
    explicit echo_driver(const load_options& options) : options_(options), method_(method_for(options, "Echo")) {}

    std::size_t connections_needed() const override { return options_.connections; }

    void run(load_window& window, const std::vector<client::hub_connection*>& connections) override {
        window.open();
        for (auto* connection : connections)
            for (std::size_t i = 0; i < options_.in_flight; ++i)
                call_next(*connection, window);
        finish_window(window, options_);
    }

private:
    void call_next(client::hub_connection& connection, load_window& window) {
        const auto now = load_window::clock::now();
        if (!window.take_ticket(now)) return;
        call_echo(connection, method_, echo_payload(calls_++, options_.payload_bytes), window, now,
                  [this, &connection, &window](bool failed) {
                      // A closed connection fails every call at once: stop its loop rather than spin.
                      if (failed && connection.state() != client::connection_state::connected) return;
                      call_next(connection, window);
                  });
    }

    const load_options& options_;
    std::string method_;
    std::atomic<std::uint64_t> calls_{0};
};

} // namespace

std::unique_ptr<load_driver> make_echo_driver(const load_options& options) {
    return std::make_unique<echo_driver>(options);
}

} // namespace hubspec::harness::load
