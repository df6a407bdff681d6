#pragma once
// Records a connection's trace events (copies: the views die with the call) for
// tests to inspect once the events they wait for have happened.

#include <hubspec/client/trace.hpp>

#include <mutex>
#include <string>
#include <vector>

namespace hubspec::client::test {

struct recorded_event {
    trace_direction direction;
    trace_kind kind;
    std::string text;
    std::string bytes;
};

class trace_recorder {
public:
    trace_handler handler() {
        return [this](const trace_event& e) {
            std::lock_guard lock(mutex_);
            events_.push_back({e.direction, e.kind, std::string(e.text), std::string(e.bytes)});
        };
    }
    std::vector<recorded_event> events() {
        std::lock_guard lock(mutex_);
        return events_;
    }
    /// Events of `kind` whose text starts with `prefix`.
    std::vector<recorded_event> find(trace_kind kind, const std::string& prefix = {}) {
        std::vector<recorded_event> out;
        for (auto& e : events())
            if (e.kind == kind && e.text.rfind(prefix, 0) == 0) out.push_back(e);
        return out;
    }
    /// Texts of the requests sent, e.g. "POST http://…/negotiate?negotiateVersion=1".
    std::vector<std::string> requests() {
        std::vector<std::string> out;
        for (auto& e : find(trace_kind::http_request))
            out.push_back(e.text);
        return out;
    }

    /// One line per event, for a failing test's output.
    std::string dump() {
        static const char* kinds[] = {"http_request",   "http_response",   "transport_open",
                                      "transport_data", "transport_close", "state"};
        std::string out;
        for (auto& e : events()) {
            out += kinds[static_cast<int>(e.kind)];
            out += " " + e.text;
            if (!e.bytes.empty()) out += " [" + std::to_string(e.bytes.size()) + " bytes]";
            out += "\n";
        }
        return out;
    }

private:
    std::mutex mutex_;
    std::vector<recorded_event> events_;
};

} // namespace hubspec::client::test
