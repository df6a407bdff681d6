#include "hubspec/protocol/hub_message.hpp"

#include "hubspec/protocol/detail/helpers.hpp"

#include <array>

namespace hubspec::protocol {

namespace {

constexpr std::array<std::string_view, 10> type_names{
    "Unknown",          "Invocation", "StreamItem", "Completion", "StreamInvocation",
    "CancelInvocation", "Ping",       "Close",      "Ack",        "Sequence"};

using detail::overloaded;

} // namespace

std::int64_t type_code(const hub_message& m) noexcept {
    if (const auto* unknown = std::get_if<unknown_message>(&m)) return unknown->type;
    return static_cast<std::int64_t>(m.index()) + 1; // variant order follows MSG-001
}

std::string_view type_name(std::int64_t code) noexcept {
    if (code < 1 || code > 9) return type_names[0];
    return type_names[static_cast<std::size_t>(code)];
}

std::string_view type_name(const hub_message& m) noexcept {
    if (std::holds_alternative<unknown_message>(m)) return type_names[0];
    return type_name(type_code(m));
}

std::optional<std::int64_t> type_code_from_name(std::string_view name) noexcept {
    for (std::size_t i = 1; i < type_names.size(); ++i) {
        if (type_names[i] == name) return static_cast<std::int64_t>(i);
    }
    return std::nullopt;
}

header_map* headers_of(hub_message& m) noexcept {
    return std::visit(overloaded{
                          [](invocation_message& x) -> header_map* { return &x.headers; },
                          [](stream_item_message& x) -> header_map* { return &x.headers; },
                          [](completion_message& x) -> header_map* { return &x.headers; },
                          [](stream_invocation_message& x) -> header_map* { return &x.headers; },
                          [](cancel_invocation_message& x) -> header_map* { return &x.headers; },
                          [](auto&) -> header_map* { return nullptr; },
                      },
                      m);
}

const header_map* headers_of(const hub_message& m) noexcept {
    return headers_of(const_cast<hub_message&>(m));
}

} // namespace hubspec::protocol
