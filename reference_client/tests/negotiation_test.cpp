// Client-side negotiate decisions (NEG-*) and transport selection, without sockets.
#include "http/negotiation.hpp"
#include "transports/transport_selection.hpp"

#include <hubspec/protocol/texts.hpp>

#include <catch2/catch.hpp>

using namespace hubspec::client::detail;
namespace texts = hubspec::protocol::texts;
using hubspec::protocol::transfer_format;
using hubspec::protocol::transport_type;

namespace {
const char* v1_body = R"({"negotiateVersion":1,"connectionId":"id1","connectionToken":"tok1","availableTransports":[)"
                      R"({"transport":"WebSockets","transferFormats":["Text","Binary"]},)"
                      R"({"transport":"ServerSentEvents","transferFormats":["Text"]},)"
                      R"({"transport":"LongPolling","transferFormats":["Text","Binary"]}]})";
}

TEST_CASE("NEG-021 a version 1 reply gives the token as the transport id", "[negotiate][NEG-021]") {
    auto step = interpret_negotiate({200, "OK", v1_body}, false);
    auto& accepted = std::get<negotiate_accepted>(step);
    CHECK(accepted.connection_id == "id1");
    CHECK(accepted.transport_id == "tok1");
}

TEST_CASE("NEG-020 a version 0 reply uses the connection id as the token", "[negotiate][NEG-020]") {
    auto step = interpret_negotiate({200, "OK", R"({"connectionId":"abc","availableTransports":[]})"}, false);
    CHECK(std::get<negotiate_accepted>(step).transport_id == "abc");
}

TEST_CASE("NEG-017 an error reply fails the start with the server's text", "[negotiate][NEG-017]") {
    auto step = interpret_negotiate({200, "OK", R"({"error":"nope"})"}, false);
    CHECK(std::get<negotiate_failed>(step).error == "nope");
}

TEST_CASE("NEG-018 a url reply is a redirect carrying the new access token", "[negotiate][NEG-018]") {
    auto step = interpret_negotiate({200, "OK", R"({"url":"http://h/x","accessToken":"t"})"}, false);
    auto& r = std::get<negotiate_redirect>(step);
    CHECK(r.url == "http://h/x");
    CHECK(r.access_token == std::optional<std::string>("t"));
}

TEST_CASE("NEG-024 a ProtocolVersion property identifies a legacy server", "[negotiate][NEG-024]") {
    auto step = interpret_negotiate({200, "OK", R"({"ProtocolVersion":"1.5","ConnectionId":"x"})"}, false);
    CHECK(std::get<negotiate_failed>(step).error == texts::legacy_server);
}

TEST_CASE("NEG-027 an unrequested useStatefulReconnect fails the start", "[negotiate][NEG-027]") {
    std::string body = std::string(R"({"useStatefulReconnect":true,)") + (v1_body + 1);
    auto step = interpret_negotiate({200, "OK", body}, false);
    CHECK(std::get<negotiate_failed>(step).error == texts::unrequested_stateful_reconnect);
}

TEST_CASE("NEG-023 a 404 negotiate fails with the TS client's text", "[negotiate][NEG-023]") {
    auto step = interpret_negotiate({404, "Not Found", ""}, false);
    CHECK(std::get<negotiate_failed>(step).error ==
          "Failed to complete negotiation with the server: Error: Not Found: Status code '404' Either this is not a "
          "SignalR endpoint or there is a proxy blocking the connection.");
    auto other = interpret_negotiate({204, "No Content", ""}, false);
    CHECK(std::get<negotiate_failed>(other).error == "Unexpected status code returned from negotiate '204'");
}

TEST_CASE("NEG-016 garbage in a negotiate reply is an error, not a crash", "[negotiate][NEG-016]") {
    for (const char* body : {"", "{", "[]", "null", "{\"availableTransports\":7}", "\x1e\xff"}) {
        auto step = interpret_negotiate({200, "OK", body}, false);
        CHECK(std::holds_alternative<negotiate_failed>(step));
    }
}

TEST_CASE("NEG-030 transports are tried in the server's order, MessagePack skipping SSE", "[negotiate][NEG-030]") {
    auto response = std::get<negotiate_accepted>(interpret_negotiate({200, "OK", v1_body}, false)).response;
    auto text = select_transports(response.available_transports, {}, transfer_format::text);
    CHECK(text.candidates == std::vector<transport_type>{transport_type::websockets, transport_type::server_sent_events,
                                                         transport_type::long_polling});
    auto binary = select_transports(response.available_transports, {}, transfer_format::binary);
    CHECK(binary.candidates == std::vector<transport_type>{transport_type::websockets, transport_type::long_polling});
    auto only_lp =
        select_transports(response.available_transports, {transport_type::long_polling}, transfer_format::text);
    CHECK(only_lp.candidates == std::vector<transport_type>{transport_type::long_polling});
    CHECK(only_lp.reasons.size() == 2);
}

TEST_CASE("NEG-016 unknown transports in the offer are skipped", "[negotiate][NEG-016]") {
    std::vector<hubspec::protocol::available_transport> offer{{"Carrier Pigeon", {"Text"}}, {"WebSockets", {"Text"}}};
    auto choice = select_transports(offer, {}, transfer_format::text);
    CHECK(choice.candidates == std::vector<transport_type>{transport_type::websockets});
}
