// Connect mode: opens `connections` connections at `rate` per second (0: all at once), then
// holds them idle for `hold_seconds` (the measured window only), so that the server's memory
// with them all open can be read; they close after the window.

#include "load/connection_set.hpp"
#include "load/load_driver.hpp"

#include <thread>

namespace hubspec::harness::load {
namespace {

class connect_driver : public load_driver {
public:
    connect_driver(const load_options& options, client::connection_options connection_options)
        : options_(options), connection_options_(std::move(connection_options)) {}

    std::size_t connections_needed() const override { return 0; }

    void run(load_window& window, const std::vector<client::hub_connection*>&) override {
        measured_ = runs_++ > 0 || options_.warmup_seconds <= 0;
        set_ = std::make_unique<connection_set>(connection_options_);
        window.open();
        const auto drain = std::chrono::duration_cast<load_window::clock::duration>(
            std::chrono::duration<double>(options_.drain_seconds));
        set_->open(options_.connections, options_.rate, window, window.deadline() + drain);
        if (window.in_flight() > 0)
            window.failed(std::to_string(window.in_flight()) + " connections still connecting", window.in_flight());
        window.close();
        // Idle on purpose: the hold is the point of this mode (the server's memory per connection).
        if (measured_) std::this_thread::sleep_for(std::chrono::duration<double>(options_.hold_seconds));
    }

    void after_window() override { set_.reset(); }

private:
    const load_options& options_;
    client::connection_options connection_options_;
    std::unique_ptr<connection_set> set_;
    int runs_ = 0;
    bool measured_ = false;
};

} // namespace

std::unique_ptr<load_driver> make_connect_driver(const load_options& options,
                                                 const client::connection_options& connection_options) {
    return std::make_unique<connect_driver>(options, connection_options);
}

} // namespace hubspec::harness::load
