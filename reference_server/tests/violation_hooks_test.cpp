// The --violate hooks (src/violation_hooks.hpp): with no switch every hook hands its
// input back; each switch bends only its own point.
#include "http/endpoint_types.hpp"
#include "http/event_stream.hpp"
#include "violation_hooks.hpp"

#include "hubspec/protocol/framing.hpp"

#include <catch2/catch.hpp>

using namespace hubspec::server;
using namespace hubspec::server::detail;
namespace p = hubspec::protocol;

namespace {

violation_hooks with(violation v) {
    violation_set on;
    on.insert(v);
    return violation_hooks{on};
}

} // namespace

TEST_CASE("NEG-001 WS-003 LP-002 SSE-004 with no switch every hook hands its input back", "[violations][NEG-001]") {
    const violation_hooks hooks;
    CHECK(hooks.none());
    CHECK(hooks.negotiate_method("GET") == "GET");
    http_reply reply{404, "text/plain", "No Connection with that ID", {{"Pragma", "no-cache"}}};
    for (auto which :
         {transport_response::websocket_unknown_id, transport_response::websocket_post,
          transport_response::websocket_delete, transport_response::poll, transport_response::event_stream}) {
        auto bent = reply;
        hooks.transport_reply(which, bent);
        CHECK(bent.status == reply.status);
        CHECK(bent.body == reply.body);
        CHECK(bent.headers == reply.headers);
    }
    CHECK_FALSE(hooks.binary_frames(false));
    CHECK(hooks.timeout_of(timeout::client, std::chrono::milliseconds{30}) == std::chrono::milliseconds{30});
    CHECK(hooks.message_size_limit(32768) == 32768);
    CHECK(hooks.sends(record::ping));
    CHECK(hooks.keeps(rule::cancel_invocation));
    CHECK(hooks.serves_target("Echo", "echo"));
    CHECK(hooks.group_key("Room") == "Room");
    CHECK(hooks.excluded("abc") == "abc");
    CHECK(hooks.user_recipients(3) == 3);
    p::invocation_message invocation{{}, "s7", "Ask", {}, {}};
    hooks.outgoing(outgoing_message::client_result_invocation, invocation);
    CHECK(invocation.invocation_id == "s7");
}

TEST_CASE("NEG-001 negotiate-get-allowed takes a GET negotiate as POST", "[violations][NEG-001]") {
    const auto hooks = with(violation::negotiate_get_allowed);
    CHECK(hooks.negotiate_method("GET") == "POST");
    CHECK(hooks.negotiate_method("PUT") == "PUT");
}

TEST_CASE("SSE-004 sse-no-pragma leaves only Pragma out of the event stream head", "[violations][SSE-004]") {
    http_reply head{200, "text/event-stream", "", event_stream_headers()};
    with(violation::sse_no_pragma).transport_reply(transport_response::event_stream, head);
    const auto bytes = event_stream_response_head(head.content_type, head.headers);
    CHECK(bytes.find("Pragma") == std::string::npos);
    CHECK(bytes.find("Cache-Control: no-cache,no-store\r\n") != std::string::npos);
    // The poll reply's headers belong to another switch (LP-002).
    http_reply poll{200, "application/octet-stream", "", {{"Pragma", "no-cache"}}};
    with(violation::sse_no_pragma).transport_reply(transport_response::poll, poll);
    CHECK(poll.headers.size() == 1);
}

TEST_CASE("MSG-017 client-result-ids-unprefixed drops the s of a client result's invocation id",
          "[violations][MSG-017]") {
    p::invocation_message invocation{{}, "s7", "Ask", {}, {}};
    with(violation::client_result_ids_unprefixed).outgoing(outgoing_message::client_result_invocation, invocation);
    CHECK(invocation.invocation_id == "7");
}

TEST_CASE("FRAME-010 GRP-004 oversize-message-accepted and user-send-reaches-one-connection bend limits",
          "[violations][FRAME-010][GRP-004]") {
    CHECK(with(violation::oversize_message_accepted).message_size_limit(32768) == p::no_size_limit);
    CHECK(with(violation::user_send_reaches_one_connection).user_recipients(3) == 1);
    CHECK(with(violation::user_send_reaches_one_connection).user_recipients(0) == 0);
}
