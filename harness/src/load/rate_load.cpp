// Rate mode: open loop. Echo calls go out at a fixed aggregate rate, round robin over the
// connections, whether or not earlier ones were answered; latency counts from each call's due
// time (pacer.hpp), so queueing in the target shows instead of hiding.

#include "load/echo_call.hpp"
#include "load/load_driver.hpp"
#include "load/pacer.hpp"

namespace hubspec::harness::load {
namespace {

class rate_driver : public load_driver {
public:
    explicit rate_driver(const load_options& options) : options_(options), method_(method_for(options, "Echo")) {}

    std::size_t connections_needed() const override { return options_.connections; }

    void run(load_window& window, const std::vector<client::hub_connection*>& connections) override {
        window.open();
        pace(window, options_.rate, UINT64_MAX, [&](std::uint64_t index, load_window::clock::time_point due) {
            call_echo(*connections[index % connections.size()], method_, echo_payload(index, options_.payload_bytes),
                      window, due);
        });
        finish_window(window, options_);
    }

private:
    const load_options& options_;
    std::string method_;
};

} // namespace

std::unique_ptr<load_driver> make_rate_driver(const load_options& options) {
    return std::make_unique<rate_driver>(options);
}

} // namespace hubspec::harness::load
