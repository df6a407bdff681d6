#pragma once
// Failures are logged to stderr, each with the requirement it concerns, so a
// log line can be grepped back to the spec.

#include <exception>
#include <string>
#include <string_view>
#include <utility>

namespace hubspec::server::detail {

/// "hubspec-server: [WS-003] <connection>: <message>"; silenced by set_log_enabled(false).
void log_event(std::string_view requirement, std::string_view connection, std::string_view message);
void set_log_enabled(bool enabled) noexcept;

/// Runs hub code that must not take the server down: an exception is logged and swallowed.
template <class F>
void guarded(std::string_view what, F&& f) noexcept {
    try {
        std::forward<F>(f)();
    } catch (const std::exception& e) {
        log_event("ERR-002", what, std::string("hub code threw: ") + e.what());
    } catch (...) {
        log_event("ERR-002", what, "hub code threw a non-exception");
    }
}

} // namespace hubspec::server::detail
