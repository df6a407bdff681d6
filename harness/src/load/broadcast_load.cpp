// Broadcast mode: one sender calls Broadcast(stamp) open loop at a rate; every receiver gets
// Broadcast(stamp). The stamp is [run tag, window number, due time in µs], so each delivery is
// counted in its own window (warm-up or measured), its latency taken from when the call was
// due, and deliveries of anyone else's broadcasts on the same hub ignored. After the window:
// deliveries missing from sends × receivers are lost.

#include "load/connection_set.hpp"
#include "load/load_driver.hpp"
#include "load/pacer.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <random>

namespace hubspec::harness::load {
namespace {

using clock = load_window::clock;

class broadcast_driver : public load_driver {
public:
    explicit broadcast_driver(const load_options& options)
        : options_(options), method_(method_for(options, "Broadcast")), tag_("hubspec-load-" + random_text()) {}

    std::size_t connections_needed() const override { return options_.receivers + 1; }

    void prepare(client::hub_connection& connection) override {
        if (!sender_) { // the first is the sender, whose own copies are not counted
            sender_ = &connection;
            return;
        }
        connection.on("Broadcast", [this](const client::arguments& args) { delivered(args); });
    }

    void run(load_window& window, const std::vector<client::hub_connection*>& connections) override {
        const auto number = windows_used_++;
        windows_[number] = &window;
        window.open();
        if (std::find(connections.begin(), connections.end(), sender_) == connections.end()) {
            window.failed("the sender's connection did not open");
            return window.close();
        }
        const auto receivers = connections.size() - 1;
        auto& sender = *sender_;
        // The window's operations are the sender's calls; its successes, the receivers' deliveries.
        std::atomic<std::uint64_t> broadcasts{0};
        pace(window, options_.rate, UINT64_MAX, [&](std::uint64_t, clock::time_point due) {
            const auto due_us = std::chrono::duration_cast<std::chrono::microseconds>(due - epoch_).count();
            protocol::array stamp{protocol::value{tag_}, protocol::value{static_cast<std::int64_t>(number)},
                                  protocol::value{static_cast<std::int64_t>(due_us)}};
            window.began();
            sender.invoke_async(method_, {protocol::value{std::move(stamp)}}, {},
                                [this, &window, &broadcasts](std::exception_ptr error, const protocol::value&) {
                                    if (error)
                                        window.failed(method_ + ": " + describe(error));
                                    else
                                        ++broadcasts;
                                    window.ended();
                                });
        });
        const auto drain =
            std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(options_.drain_seconds));
        if (!window.wait_idle(std::max(clock::now(), window.deadline()) + drain))
            window.failed(std::to_string(window.in_flight()) + " " + method_ + " calls unanswered", window.in_flight());
        window.expect(broadcasts * receivers);
        window.wait_completed(window.expected(), clock::now() + drain);
        if (window.lost() > 0)
            window.failed(std::to_string(window.lost()) + " of " + std::to_string(window.expected()) +
                              " deliveries lost (" + std::to_string(broadcasts) + " broadcasts × " +
                              std::to_string(receivers) + " receivers)",
                          window.lost());
        else if (window.completed() > window.expected())
            window.failed(std::to_string(window.completed() - window.expected()) + " deliveries more than sent",
                          window.completed() - window.expected());
        window.close();
    }

private:
    static std::string random_text() {
        std::random_device random;
        return std::to_string(random()) + std::to_string(random());
    }

    void delivered(const client::arguments& args) {
        const auto now = clock::now();
        const auto* stamp = args.empty() ? nullptr : args.front().get_if<protocol::array>();
        if (!stamp || stamp->size() != 3 || stamp->at(0).as_string() == nullptr || *stamp->at(0).as_string() != tag_)
            return;
        const auto number = stamp->at(1).as_int64().value_or(-1);
        const auto due_us = stamp->at(2).as_int64().value_or(0);
        if (number < 0 || static_cast<std::size_t>(number) >= windows_used_.load()) return;
        windows_[static_cast<std::size_t>(number)].load()->succeeded(now -
                                                                     (epoch_ + std::chrono::microseconds(due_us)));
    }

    const load_options& options_;
    std::string method_;
    std::string tag_;
    const clock::time_point epoch_ = clock::now();
    client::hub_connection* sender_ = nullptr;           // prepared on the opening thread, before any start
    std::array<std::atomic<load_window*>, 2> windows_{}; // the warm-up and the measured window
    std::atomic<std::size_t> windows_used_{0};
};

} // namespace

std::unique_ptr<load_driver> make_broadcast_driver(const load_options& options) {
    return std::make_unique<broadcast_driver>(options);
}

} // namespace hubspec::harness::load
