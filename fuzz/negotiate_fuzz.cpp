// Negotiate: the client's response parser and the server's query handling (NEG-*).
#include "hubspec/protocol/negotiate.hpp"

#include "fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace {

/// The writer drops empty strings, as .NET's writer does (string.IsNullOrEmpty), so a response
/// with `"url":""` or `"connectionId":""` writes as one without them and need not parse back.
bool has_empty_string(const hubspec::protocol::negotiate_response& r) {
    const auto empty = [](const std::optional<std::string>& s) { return s && s->empty(); };
    return empty(r.error) || empty(r.url) || empty(r.access_token) || empty(r.connection_id) ||
           empty(r.connection_token);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hubspec::protocol;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    if (auto response = parse_negotiate_response(input); response && !has_empty_string(*response)) {
        // What the writer makes of a parsed response must parse back to it.
        const auto written = write_negotiate_response(*response);
        auto again = parse_negotiate_response(written);
        HUBSPEC_FUZZ_CHECK(again.has_value());
        HUBSPEC_FUZZ_CHECK(write_negotiate_response(*again) == written);
    }
    // The same bytes as a query string reach the server's decision.
    const auto request = negotiate_request_from_query(input);
    negotiate_policy policy;
    policy.allow_stateful_reconnects = size % 2 == 0;
    const auto answer = negotiate(request, policy, {"id", "token"});
    auto reparsed = parse_negotiate_response(write_negotiate_response(answer));
    HUBSPEC_FUZZ_CHECK(reparsed.has_value());
    return 0;
}
