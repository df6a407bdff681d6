// Negotiate: the client's response parser and the server's query handling (NEG-*).
#include "hubspec/protocol/negotiate.hpp"

#include "fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hubspec::protocol;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    if (auto response = parse_negotiate_response(input)) {
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
