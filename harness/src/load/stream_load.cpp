// Stream mode: closed loop of server-to-client streams. Each connection keeps `in_flight`
// Stream(items, 0) calls going, each started when the one before it completes; items must
// arrive as 0, 1, … items-1. Throughput is items per second; latency, a whole stream's.

#include "load/connection_set.hpp"
#include "load/load_driver.hpp"

#include <atomic>

namespace hubspec::harness::load {
namespace {

class stream_driver : public load_driver {
public:
    explicit stream_driver(const load_options& options) : options_(options), method_(method_for(options, "Stream")) {}

    std::size_t connections_needed() const override { return options_.connections; }

    void run(load_window& window, const std::vector<client::hub_connection*>& connections) override {
        window.open();
        for (auto* connection : connections)
            for (std::size_t i = 0; i < options_.in_flight; ++i)
                stream_next(*connection, window);
        finish_window(window, options_);
    }

private:
    void stream_next(client::hub_connection& connection, load_window& window) {
        const auto started = load_window::clock::now();
        if (!window.take_ticket(started)) return;
        window.began();
        const auto items = static_cast<std::int64_t>(options_.stream_items);
        // Items and completion run one at a time on the connection's dispatcher: no lock needed.
        auto next_item = std::make_shared<std::int64_t>(0);
        auto in_order = std::make_shared<bool>(true);
        connection.stream_async(
            method_, {protocol::value{items}, protocol::value{0}}, {},
            [&window, next_item, in_order](const protocol::value& item) {
                if (item.as_int64() != *next_item && *in_order) {
                    *in_order = false;
                    window.failed("stream item " + std::to_string(*next_item) + " came out of order");
                }
                ++*next_item;
                window.add_items(1);
            },
            [this, &connection, &window, next_item, in_order, items, started](std::exception_ptr error) {
                bool failed = true;
                if (error)
                    window.failed(method_ + ": " + describe(error));
                else if (*next_item != items)
                    window.failed(method_ + " ended after " + std::to_string(*next_item) + " of " +
                                  std::to_string(items) + " items");
                else
                    failed = !*in_order;
                if (!failed) window.succeeded(load_window::clock::now() - started);
                if (!failed || connection.state() == client::connection_state::connected)
                    stream_next(connection, window);
                window.ended();
            });
    }

    const load_options& options_;
    std::string method_;
};

} // namespace

std::unique_ptr<load_driver> make_stream_driver(const load_options& options) {
    return std::make_unique<stream_driver>(options);
}

} // namespace hubspec::harness::load
