#include "engine/method_probe.hpp"

#include <hubspec/client/hub_connection.hpp>

#include <future>
#include <map>
#include <utility>

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

namespace {

constexpr std::string_view sure_missing = "HubspecNoSuchMethod"; // no hub has it: the yardstick of "missing"

std::vector<std::string> with_each(std::vector<std::string> methods, const std::string& extra) {
    methods.push_back(extra);
    return methods;
}

/// Invokes each method with `argument_count` nulls; method -> its error, "" when it succeeded or
/// the connection ended first. nullopt when an answer did not come by the deadline.
std::optional<std::map<std::string, std::string>> ask(client::hub_connection& connection,
                                                      const std::vector<std::string>& methods,
                                                      std::size_t argument_count,
                                                      std::chrono::steady_clock::time_point deadline) {
    const client::arguments arguments(argument_count, protocol::value{});
    std::vector<std::pair<std::string, std::future<protocol::value>>> calls;
    for (const auto& method : methods)
        calls.emplace_back(method, connection.invoke(method, arguments));
    std::map<std::string, std::string> answers;
    for (auto& [method, answer] : calls) {
        if (answer.wait_until(deadline) != std::future_status::ready) return std::nullopt;
        try {
            answer.get(); // a server that ignores the extra arguments: the method is there
            answers[method] = "";
        } catch (const std::exception& e) {
            answers[method] = e.what();
        }
    }
    return answers;
}

/// Whether `error` for `method` is word for word the error for the `missing` one, names aside.
bool same_answer(std::string error, std::string_view method, std::string_view missing_error, std::string_view missing) {
    for (auto at = error.find(method); at != std::string::npos; at = error.find(method, at + missing.size()))
        error.replace(at, method.size(), missing);
    return error == missing_error;
}

/// ASP.NET Core 2.x binds the arguments of a method it lacks as if it took none, so twelve of them
/// fail the same way for a missing method as for one that takes fewer ("Failed to invoke 'X' due
/// to an error on the server."); with none, a missing one says "Unknown hub method 'X'". Without
/// arguments a method that needs some still refuses to bind; one that takes none runs, so Abort
/// (which ends the connection) is asked last, alone.
void probe_without_arguments(client::hub_connection& connection, const std::vector<std::string>& unclear,
                             const std::string& abort_method, std::chrono::steady_clock::time_point deadline,
                             method_probe& probe) {
    const auto yardstick = ask(connection, {std::string(sure_missing)}, 0, deadline);
    if (!yardstick || !says_method_missing(yardstick->begin()->second)) return; // cannot tell: taken as present
    std::vector<std::string> others;
    std::vector<std::string> last;
    for (const auto& method : unclear)
        (method == abort_method ? last : others).push_back(method);
    for (const auto& round : {others, last}) {
        if (round.empty()) continue;
        const auto answers = ask(connection, round, 0, deadline);
        if (!answers) return;
        for (const auto& [method, answer] : *answers)
            if (says_method_missing(answer)) probe.missing.emplace(method, answer);
    }
}

} // namespace

method_probe probe_methods(const std::string& url, const std::vector<protocol::transport_type>& transports,
                           const std::vector<std::string>& methods, const std::string& abort_method,
                           std::chrono::milliseconds timeout, const credentials& creds) {
    method_probe probe;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    client::connection_options options;
    options.url = url;
    options.transports = transports;
    options.connect_timeout = timeout;
    creds.add_to(options);
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
    const std::string yardstick(sure_missing);
    if (const auto first = ask(connection, with_each(methods, yardstick), 12, deadline); !first) {
        probe.problem = "no answer to the method probe within " + std::to_string(timeout.count()) + " ms";
    } else {
        std::vector<std::string> unclear; // answered as a missing method is, without saying so
        for (const auto& method : methods) {
            const auto& answer = first->at(method);
            if (says_method_missing(answer))
                probe.missing.emplace(method, answer);
            else if (!answer.empty() && same_answer(answer, method, first->at(yardstick), yardstick))
                unclear.push_back(method);
        }
        if (!unclear.empty()) probe_without_arguments(connection, unclear, abort_method, deadline, probe);
    }
    auto stopped = connection.stop();
    stopped.wait_until(std::chrono::steady_clock::now() + std::chrono::seconds(5));
    return probe;
}

} // namespace hubspec::harness::detail
