// Transport selection and fallback (NEG-030, NEG-031), without sockets.
#include "transports/transport_selection.hpp"

#include <catch2/catch.hpp>

using namespace hubspec::client::detail;
using hubspec::protocol::available_transport;
using hubspec::protocol::transfer_format;
using hubspec::protocol::transport_type;

namespace {
const std::vector<available_transport> all_three{
    {"WebSockets", {"Text", "Binary"}}, {"ServerSentEvents", {"Text"}}, {"LongPolling", {"Text", "Binary"}}};
}

TEST_CASE("NEG-030 SSE-009 SSE never carries MessagePack even when a server offers it Binary",
          "[transport-selection][NEG-030][SSE-009]") {
    std::vector<available_transport> offer{{"ServerSentEvents", {"Text", "Binary"}}, {"LongPolling", {"Binary"}}};
    auto choice = select_transports(offer, {}, transfer_format::binary);
    CHECK(choice.candidates == std::vector<transport_type>{transport_type::long_polling});
    REQUIRE(choice.reasons.size() == 1);
    CHECK(choice.reasons[0] == "ServerSentEvents failed: 'ServerSentEvents' does not support Binary.");
}

TEST_CASE("NEG-031 a transport that failed is not tried again and keeps its error", "[transport-selection][NEG-031]") {
    std::vector<transport_failure> failed{{transport_type::websockets, "WebSocket upgrade declined"}};
    auto choice = select_transports(all_three, {}, transfer_format::binary, failed);
    CHECK(choice.candidates == std::vector<transport_type>{transport_type::long_polling});
    CHECK(choice.reasons == std::vector<std::string>{"WebSockets failed: WebSocket upgrade declined",
                                                     "ServerSentEvents failed: 'ServerSentEvents' does not support "
                                                     "Binary."});
}

TEST_CASE("NEG-031 the final error names every transport and why, in the server's order",
          "[transport-selection][NEG-031]") {
    std::vector<transport_failure> failed{{transport_type::long_polling, "the first poll failed"},
                                          {transport_type::websockets, "refused"}};
    auto choice = select_transports(all_three, {transport_type::websockets, transport_type::long_polling},
                                    transfer_format::text, failed);
    CHECK(choice.candidates.empty());
    CHECK(no_transport_error(choice.reasons) ==
          "Unable to connect to the server with any of the available transports. WebSockets failed: refused "
          "ServerSentEvents failed: 'ServerSentEvents' is disabled by the client. LongPolling failed: the first "
          "poll failed");
}

TEST_CASE("NEG-031 a failed transport the server no longer offers is still named", "[transport-selection][NEG-031]") {
    std::vector<available_transport> offer{{"LongPolling", {"Text"}}};
    auto choice = select_transports(offer, {}, transfer_format::text, {{transport_type::websockets, "refused"}});
    CHECK(choice.candidates == std::vector<transport_type>{transport_type::long_polling});
    CHECK(choice.reasons == std::vector<std::string>{"WebSockets failed: refused"});
}

TEST_CASE("NEG-030 an empty offer fails with Microsoft's text", "[transport-selection][NEG-030]") {
    auto choice = select_transports({}, {}, transfer_format::text);
    CHECK(choice.candidates.empty());
    CHECK(no_transport_error(choice.reasons) ==
          "None of the transports supported by the client are supported by the server.");
}
