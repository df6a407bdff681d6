#include "engine/method_probe.hpp"

#include <hubspec/client/hub_connection.hpp>

#include <future>

namespace hubspec::harness::detail {

bool says_method_missing(std::string_view error) {
    return error.find("Method does not exist") != std::string_view::npos ||
           error.find("Unknown hub method") != std::string_view::npos;
}

std::optional<std::string> method_named_in(std::string_view error) {
    const auto open = error.find('\'');
    if (open == std::string_view::npos) return std::nullopt;
    const auto close = error.find('\'', open + 1);
    if (close == std::string_view::npos) return std::nullopt;
    return std::string(error.substr(open + 1, close - open - 1));
}

method_probe probe_methods(const std::string& url, const std::vector<protocol::transport_type>& transports,
                           const std::vector<std::string>& methods, std::chrono::milliseconds timeout) {
    method_probe probe;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    client::connection_options options;
    options.url = url;
    options.transports = transports;
    options.connect_timeout = timeout;
    client::hub_connection connection(std::move(options));
    try {
        auto started = connection.start();
        if (started.wait_until(deadline) != std::future_status::ready) {
            probe.problem = "no connection to " + url + " within " + std::to_string(timeout.count()) + " ms";
            return probe;
        }
        started.get();
    } catch (const std::exception& e) {
        probe.problem = "cannot connect to " + url + ": " + e.what();
        return probe;
    }
    // Twelve arguments: more than any contract method takes, so no method of the target runs.
    const client::arguments too_many(12, protocol::value{});
    std::vector<std::pair<std::string, std::future<protocol::value>>> calls;
    for (const auto& method : methods)
        calls.emplace_back(method, connection.invoke(method, too_many));
    for (auto& [method, answer] : calls) {
        if (answer.wait_until(deadline) != std::future_status::ready) {
            probe.problem =
                "no answer to the probe of " + method + " within " + std::to_string(timeout.count()) + " ms";
            probe.missing.clear();
            break;
        }
        try {
            answer.get(); // a server that ignores the extra arguments: the method is there
        } catch (const std::exception& e) {
            if (says_method_missing(e.what())) probe.missing.emplace(method, e.what());
        }
    }
    auto stopped = connection.stop();
    stopped.wait_until(std::chrono::steady_clock::now() + std::chrono::seconds(5));
    return probe;
}

} // namespace hubspec::harness::detail
