#pragma once
// The target's timings and limits, and the one table that names them. Every user
// reads it: `hubspec run` and `hubspec-server` make their options from it, the
// embedded server and Python map through it, scenarios substitute `{name}` with it.
// A new setting is a member and a row here, plus a line in server::apply_target_settings when the reference server
// applies it.

#include "hubspec/protocol/framing.hpp"
#include "hubspec/protocol/keep_alive.hpp"
#include "hubspec/protocol/stateful_reconnect.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hubspec::protocol {

// ASP.NET Core's defaults of the settings keep_alive.hpp and framing.hpp do not define.
inline constexpr std::chrono::milliseconds default_disconnect_timeout{15'000};     // NEG-036, KA-010, SR-012
inline constexpr std::chrono::milliseconds default_long_poll_timeout{90'000};      // LP-006
inline constexpr std::chrono::milliseconds default_transport_send_timeout{10'000}; // KA-011

/// What a scenario may expect of a target; the defaults are ASP.NET Core's.
struct target_settings {
    std::chrono::milliseconds keep_alive = default_keep_alive_interval;
    std::chrono::milliseconds client_timeout = default_client_timeout_interval;
    std::chrono::milliseconds handshake_timeout = default_handshake_timeout;
    std::chrono::milliseconds disconnect_timeout = default_disconnect_timeout;
    std::chrono::milliseconds long_poll_timeout = default_long_poll_timeout;
    std::chrono::milliseconds transport_send_timeout = default_transport_send_timeout;
    std::size_t stateful_reconnect_buffer_size = default_stateful_reconnect_buffer_size;
    std::size_t max_message_size = default_maximum_message_size;
    // The target's configuration beyond timings: what some scenarios need, detected or declared.
    std::size_t parallel_invocations = 1; // MaximumParallelInvocationsPerClient: MSG-102 holds only at 1
    bool stateful_reconnect = false;      // AllowStatefulReconnects: the SR scenarios need it on
};

/// One setting: a duration in milliseconds, a size (bytes, a count) or a switch (one of the three members is set).
struct target_setting {
    std::string_view name; // scenarios' `{name}` and Python's keyword: "keepalive_ms"
    std::chrono::milliseconds target_settings::*duration = nullptr;
    std::size_t target_settings::*size = nullptr;
    std::string_view requirements;           // "KA-001"; several for a setting many rules read
    std::string_view flag;                   // "--keepalive-ms", in hubspec-server (and hubspec run when `in_run`)
    std::string_view dotnet_name;            // the ASP.NET Core option it mirrors, for help texts
    bool in_run = true;                      // `hubspec run` takes the flag too
    bool in_python = true;                   // Python takes `name` as a keyword (hubspec.Server, hubspec.run)
    std::int64_t embedded = 0;               // the embedded target's value: short, so that a run against it is fast
    bool target_settings::*toggle = nullptr; // a switch: `flag` turns it on, `--no-…` off (0 / 1 as a value)
    bool in_server = true;                   // hubspec-server applies it (and takes `flag`)

    /// The value in `s`, in milliseconds, bytes or a count; a switch is 0 or 1.
    std::int64_t get(const target_settings& s) const noexcept {
        if (duration) return (s.*duration).count();
        if (toggle) return s.*toggle ? 1 : 0;
        return static_cast<std::int64_t>(s.*size);
    }
    void set(target_settings& s, std::int64_t v) const noexcept {
        if (duration)
            s.*duration = std::chrono::milliseconds(v);
        else if (toggle)
            s.*toggle = v != 0;
        else
            s.*size = static_cast<std::size_t>(v);
    }
    /// ASP.NET Core's default.
    std::int64_t default_value() const noexcept { return get(target_settings{}); }
};

// Ordered as hubspec-server's --help lists them.
inline constexpr std::array<target_setting, 10> target_setting_table{{
    {"keepalive_ms", &target_settings::keep_alive, nullptr, "KA-001", "--keepalive-ms", "KeepAliveInterval", true, true,
     1'000},
    {"client_timeout_ms", &target_settings::client_timeout, nullptr, "KA-003", "--client-timeout-ms",
     "ClientTimeoutInterval", true, true, 4'000},
    {"handshake_timeout_ms", &target_settings::handshake_timeout, nullptr, "HS-009", "--handshake-timeout-ms",
     "HandshakeTimeout", true, true, 2'000},
    {"disconnect_timeout_ms", &target_settings::disconnect_timeout, nullptr, "NEG-036, LP-011, SR-012",
     "--disconnect-timeout-ms", "DisconnectTimeout", true, true, 3'000},
    {"long_poll_timeout_ms", &target_settings::long_poll_timeout, nullptr, "LP-006", "--long-poll-timeout-ms",
     "LongPolling.PollTimeout", true, true, 5'000},
    {"transport_send_timeout_ms", &target_settings::transport_send_timeout, nullptr, "KA-011",
     "--transport-send-timeout-ms", "TransportSendTimeout", false, false, 10'000},
    {"stateful_reconnect_buffer_size", nullptr, &target_settings::stateful_reconnect_buffer_size, "SR-010",
     "--stateful-reconnect-buffer-size", "StatefulReconnectBufferSize", false, true, 100'000},
    {"max_message_size", nullptr, &target_settings::max_message_size, "FRAME-009", "--max-message-size",
     "MaximumReceiveMessageSize", true, true, 32 * 1024},
    // Configuration, not timing: `hubspec run` and `hubspec probe` detect these; the flags declare them.
    {"parallel_invocations", nullptr, &target_settings::parallel_invocations, "MSG-102", "--parallel-invocations",
     "MaximumParallelInvocationsPerClient", true, true, 1, nullptr, false},
    {"stateful_reconnect", nullptr, nullptr, "SR-001, NEG-026", "--stateful-reconnect", "AllowStatefulReconnects", true,
     true, 1, &target_settings::stateful_reconnect, false},
}};

/// The row called `name` ("keepalive_ms"), if any.
constexpr const target_setting* find_target_setting(std::string_view name) noexcept {
    for (const auto& row : target_setting_table)
        if (row.name == name) return &row;
    return nullptr;
}

/// Every setting at its `embedded` value.
target_settings embedded_target_settings() noexcept;

} // namespace hubspec::protocol
