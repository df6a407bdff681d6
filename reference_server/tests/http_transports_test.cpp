// Server-Sent Events and long polling as the router decides them, without sockets
// (SSE-001..013, LP-001..019, NEG-014).
#include "http/event_stream.hpp"
#include "router_fixture.hpp"

#include "hubspec/protocol/texts.hpp"

#include <chrono>

using namespace hubspec::server;
namespace p = hubspec::protocol;
using hubspec::server::testing::router_fixture;

namespace {

const detail::header_list event_stream_accept{{"Accept", "text/event-stream"}};

bool has_no_cache_headers(const detail::http_reply& r) {
    return r.headers == detail::no_cache_headers();
}

std::string token_of(router_fixture& f, const std::string& hub = "/conformance") {
    auto r = f.reply("POST", hub + "/negotiate?negotiateVersion=1");
    auto parsed = p::parse_negotiate_response(r.body);
    REQUIRE(parsed.has_value());
    return *parsed->connection_token;
}

std::shared_ptr<detail::deferred_reply> poll(router_fixture& f, const std::string& target) {
    auto routed = f.router.route({"GET", target});
    REQUIRE(std::holds_alternative<std::shared_ptr<detail::deferred_reply>>(routed));
    return std::get<std::shared_ptr<detail::deferred_reply>>(routed);
}

/// First poll, then the JSON handshake by POST, then the poll that carries its answer.
std::string start_long_polling(router_fixture& f, const std::string& token) {
    const std::string target = "/conformance?id=" + token;
    REQUIRE(f.reply("GET", target).status == 200);
    REQUIRE(f.reply("POST", target, false, {}, "{\"protocol\":\"json\",\"version\":1}\x1e").status == 200);
    auto answer = poll(f, target);
    REQUIRE(answer->ready());
    REQUIRE(answer->ready()->body == "{}\x1e");
    return target;
}

} // namespace

TEST_CASE("NEG-014 /conformance offers all three transports and /conformance-nows SSE and long polling",
          "[router][NEG-014]") {
    router_fixture f;
    auto all = p::parse_negotiate_response(f.reply("POST", "/conformance/negotiate?negotiateVersion=1").body);
    REQUIRE(all.has_value());
    REQUIRE(all->available_transports.size() == 3);
    CHECK(all->available_transports[1].transport == "ServerSentEvents");
    CHECK(all->available_transports[1].transfer_formats == std::vector<std::string>{"Text"});
    auto nows = p::parse_negotiate_response(f.reply("POST", "/conformance-nows/negotiate?negotiateVersion=1").body);
    REQUIRE(nows.has_value());
    REQUIRE(nows->available_transports.size() == 2);
    CHECK(nows->available_transports[0].transport == "ServerSentEvents");
    CHECK(nows->available_transports[1].transport == "LongPolling");
}

// ---- Server-Sent Events --------------------------------------------------------------

TEST_CASE("SSE-001 a GET accepting text/event-stream opens the event stream", "[router][SSE-001]") {
    router_fixture f;
    const auto token = token_of(f);
    auto routed = f.router.route({"GET", "/conformance?id=" + token, event_stream_accept});
    REQUIRE(std::holds_alternative<detail::sse_accept>(routed));
    CHECK(std::get<detail::sse_accept>(routed).connection->identity().transport ==
          p::transport_type::server_sent_events);
}

TEST_CASE("SSE-002 an event stream needs a known id: 400 without, 404 unknown", "[router][SSE-002]") {
    router_fixture f;
    auto missing = f.reply("GET", "/conformance", false, event_stream_accept);
    CHECK(missing.status == 400);
    CHECK(missing.body == p::texts::connection_id_required);
    auto unknown = f.reply("GET", "/conformance?id=nope", false, event_stream_accept);
    CHECK(unknown.status == 404);
    CHECK(unknown.body == p::texts::no_connection_with_id);
}

TEST_CASE("SSE-003 a second stream gets 409, another transport 400, a disabled one 404", "[router][SSE-003]") {
    router_fixture f;
    const auto token = token_of(f);
    const std::string target = "/conformance?id=" + token;
    REQUIRE(std::holds_alternative<detail::sse_accept>(f.router.route({"GET", target, event_stream_accept})));
    CHECK(f.reply("GET", target, false, event_stream_accept).status == 409);
    CHECK(f.reply("GET", target).status == 400);       // a poll on an SSE connection
    CHECK(f.reply("GET", target, true).status == 400); // WS-005

    const auto other = token_of(f, "/conformance-wsonly");
    auto off = f.reply("GET", "/conformance-wsonly?id=" + other, false, event_stream_accept);
    CHECK(off.status == 404);
    CHECK(off.body == "ServerSentEvents transport not supported by this end point type");
}

TEST_CASE("SSE-004 SSE-005 the response head and the comment that opens the stream",
          "[event_stream][SSE-004][SSE-005]") {
    const auto head = detail::event_stream_response_head();
    CHECK(head.find("Content-Type: text/event-stream\r\n") != std::string::npos);
    CHECK(head.find("Cache-Control: no-cache,no-store\r\n") != std::string::npos);
    CHECK(head.find("Pragma: no-cache\r\n") != std::string::npos);
    CHECK(head.find("Content-Encoding: identity\r\n") != std::string::npos);
    CHECK(head.find("Content-Length") == std::string::npos);
    CHECK(detail::http_chunk(":\r\n") == "3\r\n:\r\n\r\n");
    CHECK(detail::http_chunk("") == ""); // an empty chunk would end the body
}

TEST_CASE("SSE-012 DELETE on an event-stream connection gets 400", "[router][SSE-012]") {
    router_fixture f;
    const auto token = token_of(f);
    const std::string target = "/conformance?id=" + token;
    REQUIRE(std::holds_alternative<detail::sse_accept>(f.router.route({"GET", target, event_stream_accept})));
    auto r = f.reply("DELETE", target);
    CHECK(r.status == 400);
    CHECK(r.body == p::texts::delete_not_allowed);
}

TEST_CASE("SSE-013 when the stream request ends the connection is gone", "[router][SSE-013]") {
    router_fixture f;
    const auto token = token_of(f);
    const std::string target = "/conformance?id=" + token;
    auto routed = f.router.route({"GET", target, event_stream_accept});
    REQUIRE(std::holds_alternative<detail::sse_accept>(routed));
    auto connection = std::get<detail::sse_accept>(routed).connection;
    f.router.transport_ended(token, nullptr, detail::transport_end::ungraceful);
    CHECK(connection->closed());
    CHECK(f.reply("GET", target, false, event_stream_accept).status == 404);
    CHECK(f.reply("POST", target).status == 404);
}

// ---- Long polling ---------------------------------------------------------------------

TEST_CASE("LP-003 the first poll returns at once: 200, empty, no-cache headers", "[router][LP-003][LP-002]") {
    router_fixture f;
    const auto token = token_of(f);
    auto r = f.reply("GET", "/conformance?id=" + token);
    CHECK(r.status == 200);
    CHECK(r.body.empty());
    CHECK(has_no_cache_headers(r));
}

TEST_CASE("LP-005 LP-013 a POST is answered 200 and the next poll carries every buffered byte",
          "[router][LP-005][LP-013]") {
    router_fixture f;
    const auto target = start_long_polling(f, token_of(f));
    auto sent = f.reply("POST", target, false, {},
                        "{\"type\":1,\"invocationId\":\"1\",\"target\":\"Echo\",\"arguments\":[1]}\x1e"
                        "{\"type\":1,\"invocationId\":\"2\",\"target\":\"Echo\",\"arguments\":[2]}\x1e");
    CHECK(sent.status == 200);
    CHECK(sent.content_type == "text/plain");
    CHECK(sent.body.empty());
    auto answer = poll(f, target);
    REQUIRE(answer->ready());
    CHECK(answer->ready()->status == 200);
    CHECK(answer->ready()->content_type == "application/octet-stream");
    CHECK(answer->ready()->body == "{\"type\":3,\"invocationId\":\"1\",\"result\":1}\x1e"
                                   "{\"type\":3,\"invocationId\":\"2\",\"result\":2}\x1e");
    CHECK(has_no_cache_headers(*answer->ready()));
}

TEST_CASE("LP-006 a poll with nothing to say ends with 200 empty text/plain at the poll timeout", "[router][LP-006]") {
    router_fixture f;
    const auto target = start_long_polling(f, token_of(f));
    auto waiting = poll(f, target);
    CHECK_FALSE(waiting->done());
    f.timers.fire_all(); // the poll timeout; no Ping either, long polling keeps itself alive (LP-019, KA-008)
    REQUIRE(waiting->ready());
    CHECK(waiting->ready()->status == 200);
    CHECK(waiting->ready()->content_type == "text/plain");
    CHECK(waiting->ready()->body.empty());
}

TEST_CASE("LP-008 a newer poll ends the pending one with 204", "[router][LP-008]") {
    router_fixture f;
    const auto target = start_long_polling(f, token_of(f));
    auto first = poll(f, target);
    auto second = poll(f, target);
    REQUIRE(first->ready());
    CHECK(first->ready()->status == 204);
    CHECK_FALSE(second->done());
    f.reply("POST", target, false, {},
            "{\"type\":1,\"invocationId\":\"1\",\"target\":\"HelloWorld\",\"arguments\":[]}\x1e");
    REQUIRE(second->ready());
    CHECK(second->ready()->status == 200);
}

TEST_CASE("LP-009 when the connection ends its data goes first, then the next poll gets 204", "[router][LP-009]") {
    router_fixture f;
    const auto target = start_long_polling(f, token_of(f));
    f.reply("POST", target, false, {}, "{\"type\":1,\"invocationId\":\"1\",\"target\":\"Abort\",\"arguments\":[]}\x1e");
    auto last_data = poll(f, target);
    REQUIRE(last_data->ready());
    CHECK(last_data->ready()->status == 200);
    CHECK(last_data->ready()->body.find("{\"type\":7") != std::string::npos); // the Close (ERR-009)
    auto end = poll(f, target);
    REQUIRE(end->ready());
    CHECK(end->ready()->status == 204);
    CHECK(f.reply("GET", target).status == 404);
}

TEST_CASE("LP-011 no poll within the disconnect timeout disposes the connection", "[router][LP-011]") {
    router_fixture f;
    const auto target = start_long_polling(f, token_of(f));
    f.router.sweep(std::chrono::steady_clock::now() + std::chrono::seconds(5));
    CHECK(f.router.connection_count() == 1);
    f.router.sweep(std::chrono::steady_clock::now() + std::chrono::seconds(16));
    CHECK(f.reply("GET", target).status == 404);
}

TEST_CASE("LP-012 LP-014 poll and POST need a known id, a disabled transport gets 404", "[router][LP-012][LP-014]") {
    router_fixture f;
    auto missing = f.reply("GET", "/conformance");
    CHECK(missing.status == 400);
    CHECK(has_no_cache_headers(missing));
    CHECK(f.reply("GET", "/conformance?id=nope").status == 404);
    CHECK(f.reply("POST", "/conformance").status == 400);
    CHECK(f.reply("POST", "/conformance?id=nope").status == 404);
    const auto other = token_of(f, "/conformance-wsonly");
    auto off = f.reply("GET", "/conformance-wsonly?id=" + other);
    CHECK(off.status == 404);
    CHECK(off.body == "LongPolling transport not supported by this end point type");
}

TEST_CASE("LP-017 DELETE answers 202, the pending poll gets 204 and the token is gone", "[router][LP-017]") {
    router_fixture f;
    const auto target = start_long_polling(f, token_of(f));
    auto waiting = poll(f, target);
    auto r = f.reply("DELETE", target);
    CHECK(r.status == 202);
    CHECK(r.content_type == "text/plain");
    REQUIRE(waiting->ready());
    CHECK(waiting->ready()->status == 204);
    CHECK(f.reply("POST", target).status == 404);
}

TEST_CASE("LP-016 POSTs run one after the other, each fed whole to the connection", "[router][LP-016]") {
    router_fixture f;
    const auto target = start_long_polling(f, token_of(f));
    // A record split across two POSTs still makes one message (FRAME-003).
    CHECK(f.reply("POST", target, false, {}, "{\"type\":1,\"invocationId\":\"1\",").status == 200);
    CHECK(f.reply("POST", target, false, {}, "\"target\":\"Add\",\"arguments\":[2,3]}\x1e").status == 200);
    auto answer = poll(f, target);
    REQUIRE(answer->ready());
    CHECK(answer->ready()->body == "{\"type\":3,\"invocationId\":\"1\",\"result\":5}\x1e");
}
