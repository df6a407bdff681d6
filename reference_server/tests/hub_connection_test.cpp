// A hub connection driven without sockets: bytes in, records out, timers by hand.
#include "hub/hub_connection.hpp"
#include "log.hpp"
#include "manual_scheduler.hpp"

#include "hubspec/protocol/framing.hpp"
#include "hubspec/protocol/texts.hpp"
#include "hubspec/server/conformance_hub.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

using namespace hubspec::server;
namespace p = hubspec::protocol;
using namespace std::string_literals;
using hubspec::server::testing::manual_scheduler;

namespace {

class recording_sink final : public detail::transport_sink {
public:
    void set_binary(bool b) override { binary = b; }
    void send(std::shared_ptr<const std::string> records) override { out += *records; }
    void close() override { closed = true; }

    std::string out;
    bool binary = false;
    bool closed = false;
};

struct fixture {
    explicit fixture(hub_options options = {}, hub h = make_conformance_hub()) {
        detail::set_log_enabled(false);
        lifetime = std::make_shared<detail::hub_lifetime>(std::move(h), options, timers);
        a = connect("conn-a", sink_a);
    }

    std::shared_ptr<detail::hub_connection> connect(std::string id, std::shared_ptr<recording_sink>& sink) {
        sink = std::make_shared<recording_sink>();
        auto c = std::make_shared<detail::hub_connection>(
            lifetime, detail::connection_identity{std::move(id), std::nullopt, p::transport_type::websockets, {}},
            sink);
        c->start();
        return c;
    }

    /// Every JSON record written so far to `sink`, handshake response first, and clears it.
    static std::vector<std::string> take(recording_sink& sink) {
        std::vector<std::string> records;
        std::string_view rest = sink.out;
        while (auto r = p::next_json_record(rest)) {
            records.emplace_back(r->body);
            rest.remove_prefix(r->consumed);
        }
        sink.out.clear();
        return records;
    }

    void handshake(detail::hub_connection& c, recording_sink& sink) {
        c.on_data("{\"protocol\":\"json\",\"version\":1}\x1e");
        REQUIRE(take(sink) == std::vector<std::string>{"{}"});
    }

    manual_scheduler timers;
    std::shared_ptr<detail::hub_lifetime> lifetime;
    std::shared_ptr<recording_sink> sink_a;
    std::shared_ptr<detail::hub_connection> a;
};

} // namespace

TEST_CASE("HS-007 a good handshake is answered with {} and a record separator", "[hub_connection][HS-007]") {
    fixture f;
    f.a->on_data("{\"protocol\":\"json\",");
    CHECK(f.sink_a->out.empty()); // HS-014: nothing before the whole request
    f.a->on_data("\"version\":1}\x1e");
    CHECK(f.sink_a->out == "{}\x1e");
    CHECK_FALSE(f.sink_a->binary);
    CHECK(f.lifetime->size() == 1);
}

TEST_CASE("HS-005 an unknown protocol is refused and the connection ends without Close", "[hub_connection][HS-005]") {
    fixture f;
    f.a->on_data("{\"protocol\":\"xml\",\"version\":1}\x1e");
    CHECK(f.sink_a->out == "{\"error\":\"The protocol 'xml' is not supported.\"}\x1e");
    CHECK(f.sink_a->closed);
    CHECK(f.lifetime->size() == 0);
}

TEST_CASE("HS-011 a malformed handshake gets Microsoft's text", "[hub_connection][HS-011]") {
    fixture f;
    f.a->on_data("[1,2]\x1e");
    CHECK(f.sink_a->out == "{\"error\":\"" + std::string(p::texts::handshake_unexpected_error) + "\"}\x1e");
    CHECK(f.sink_a->closed);
}

TEST_CASE("HS-013 bytes after the handshake are hub messages", "[hub_connection][HS-013]") {
    fixture f;
    f.a->on_data(
        "{\"protocol\":\"json\",\"version\":1}\x1e{\"type\":1,\"invocationId\":\"1\",\"target\":\"HelloWorld\","
        "\"arguments\":[]}\x1e");
    CHECK(fixture::take(*f.sink_a) ==
          std::vector<std::string>{"{}", "{\"type\":3,\"invocationId\":\"1\",\"result\":\"Hello World!\"}"});
}

TEST_CASE("HS-009 no handshake in time: Handshake was canceled.", "[hub_connection][HS-009]") {
    hub_options options;
    options.handshake_timeout = std::chrono::milliseconds{0};
    options.keep_alive_interval = std::chrono::milliseconds{60'000};
    fixture f(options);
    f.timers.fire_all();
    CHECK(f.sink_a->out == "{\"error\":\"Handshake was canceled.\"}\x1e");
    CHECK(f.sink_a->closed);
}

TEST_CASE("MSG-042 a void method answers result null, others their value", "[hub_connection][MSG-042]") {
    fixture f;
    f.handshake(*f.a, *f.sink_a);
    f.a->on_data("{\"type\":1,\"invocationId\":\"1\",\"target\":\"VoidMethod\",\"arguments\":[]}\x1e"
                 "{\"type\":1,\"invocationId\":\"2\",\"target\":\"add\",\"arguments\":[2,3]}\x1e");
    CHECK(fixture::take(*f.sink_a) == std::vector<std::string>{"{\"type\":3,\"invocationId\":\"1\",\"result\":null}",
                                                               "{\"type\":3,\"invocationId\":\"2\",\"result\":5}"});
}

TEST_CASE("MSG-012 a non-blocking invocation is never answered, even on error", "[hub_connection][MSG-012]") {
    fixture f;
    f.handshake(*f.a, *f.sink_a);
    f.a->on_data("{\"type\":1,\"target\":\"Add\",\"arguments\":[2,3]}\x1e"
                 "{\"type\":1,\"target\":\"Nope\",\"arguments\":[]}\x1e"
                 "{\"type\":1,\"target\":\"ThrowException\",\"arguments\":[\"x\"]}\x1e");
    CHECK(f.sink_a->out.empty());
}

TEST_CASE("ERR-001 an unknown method gets Method does not exist", "[hub_connection][ERR-001]") {
    fixture f;
    f.handshake(*f.a, *f.sink_a);
    f.a->on_data("{\"type\":1,\"invocationId\":\"7\",\"target\":\"Nope\",\"arguments\":[]}\x1e");
    CHECK(fixture::take(*f.sink_a) ==
          std::vector<std::string>{"{\"type\":3,\"invocationId\":\"7\",\"error\":\"Failed to invoke 'Nope' due to an "
                                   "error on the server. HubException: Method does not exist.\"}"});
}

TEST_CASE("MSG-091 MSG-092 binding failures, with detail only when detailed errors are on",
          "[hub_connection][MSG-091][MSG-092]") {
    hub_options options;
    options.enable_detailed_errors = true;
    fixture f(options);
    f.handshake(*f.a, *f.sink_a);
    f.a->on_data("{\"type\":1,\"invocationId\":\"1\",\"target\":\"Add\",\"arguments\":[1]}\x1e"
                 "{\"type\":1,\"invocationId\":\"2\",\"target\":\"Add\",\"arguments\":[\"two\",3]}\x1e");
    const auto records = fixture::take(*f.sink_a);
    REQUIRE(records.size() == 2);
    CHECK(records[0] == "{\"type\":3,\"invocationId\":\"1\",\"error\":\"Failed to invoke 'Add' due to an error on the "
                        "server. InvalidDataException: Invocation provides 1 argument(s) but target expects 2.\"}");
    CHECK(records[1].find("InvalidDataException: Error binding arguments.") != std::string::npos);
}

TEST_CASE("ERR-002 ERR-004 hub exceptions: HubException detail always, others only when detailed",
          "[hub_connection][ERR-002][ERR-004]") {
    fixture f;
    f.handshake(*f.a, *f.sink_a);
    f.a->on_data("{\"type\":1,\"invocationId\":\"1\",\"target\":\"ThrowException\",\"arguments\":[\"boom\"]}\x1e"
                 "{\"type\":1,\"invocationId\":\"2\",\"target\":\"ManyArgs\",\"arguments\":[11]}\x1e");
    const auto records = fixture::take(*f.sink_a);
    REQUIRE(records.size() == 2);
    CHECK(records[0] ==
          "{\"type\":3,\"invocationId\":\"1\",\"error\":\"An unexpected error occurred invoking 'ThrowException' on "
          "the server.\"}");
    CHECK(records[1] == "{\"type\":3,\"invocationId\":\"2\",\"error\":\"An unexpected error occurred invoking "
                        "'ManyArgs' on the server. HubException: ManyArgs takes n from 0 to 10, got 11\"}");
}

TEST_CASE("MSG-098 MSG-099 invocation kinds must match the method", "[hub_connection][MSG-098][MSG-099]") {
    fixture f;
    f.handshake(*f.a, *f.sink_a);
    f.a->on_data("{\"type\":1,\"invocationId\":\"1\",\"target\":\"EmptyStream\",\"arguments\":[]}\x1e"
                 "{\"type\":4,\"invocationId\":\"2\",\"target\":\"HelloWorld\",\"arguments\":[]}\x1e");
    const auto records = fixture::take(*f.sink_a);
    REQUIRE(records.size() == 2);
    CHECK(records[0].find(p::texts::streaming_method_with_invocation("EmptyStream")) != std::string::npos);
    CHECK(records[1].find(p::texts::non_streaming_method_with_stream_invocation("HelloWorld")) != std::string::npos);
}

TEST_CASE("MSG-051 cancelling a stream sends a Completion without error", "[hub_connection][MSG-051]") {
    fixture f;
    f.handshake(*f.a, *f.sink_a);
    f.a->on_data("{\"type\":4,\"invocationId\":\"s\",\"target\":\"InfiniteStream\",\"arguments\":[5]}\x1e");
    f.timers.fire_all();
    f.timers.fire_all();
    f.a->on_data("{\"type\":5,\"invocationId\":\"s\"}\x1e");
    f.timers.fire_all();
    CHECK(fixture::take(*f.sink_a) == std::vector<std::string>{"{\"type\":2,\"invocationId\":\"s\",\"item\":0}",
                                                               "{\"type\":2,\"invocationId\":\"s\",\"item\":1}",
                                                               "{\"type\":3,\"invocationId\":\"s\"}"});
    f.a->on_data("{\"type\":1,\"invocationId\":\"c\",\"target\":\"GetCancelCount\",\"arguments\":[]}\x1e");
    CHECK(fixture::take(*f.sink_a) == std::vector<std::string>{"{\"type\":3,\"invocationId\":\"c\",\"result\":1}"});
}

TEST_CASE("MSG-100 a stream id already in use is refused", "[hub_connection][MSG-100]") {
    fixture f;
    f.handshake(*f.a, *f.sink_a);
    f.a->on_data("{\"type\":4,\"invocationId\":\"s\",\"target\":\"InfiniteStream\",\"arguments\":[5]}\x1e"
                 "{\"type\":4,\"invocationId\":\"s\",\"target\":\"InfiniteStream\",\"arguments\":[5]}\x1e");
    CHECK(fixture::take(*f.sink_a) ==
          std::vector<std::string>{
              "{\"type\":3,\"invocationId\":\"s\",\"error\":\"Invocation ID 's' is already in use.\"}"});
}

TEST_CASE("MSG-094 MSG-095 upload streams: items then Completion, and the stream count is checked",
          "[hub_connection][MSG-094][MSG-095]") {
    fixture f;
    f.handshake(*f.a, *f.sink_a);
    f.a->on_data("{\"type\":1,\"invocationId\":\"1\",\"target\":\"Sum\",\"arguments\":[],\"streamIds\":[\"u\"]}\x1e"
                 "{\"type\":2,\"invocationId\":\"u\",\"item\":4}\x1e{\"type\":2,\"invocationId\":\"u\",\"item\":5}\x1e"
                 "{\"type\":3,\"invocationId\":\"u\"}\x1e"
                 "{\"type\":1,\"invocationId\":\"2\",\"target\":\"Sum\",\"arguments\":[]}\x1e");
    const auto records = fixture::take(*f.sink_a);
    REQUIRE(records.size() == 2);
    CHECK(records[0] == "{\"type\":3,\"invocationId\":\"1\",\"result\":9}");
    CHECK(records[1] ==
          "{\"type\":3,\"invocationId\":\"2\",\"error\":\"" + p::texts::stream_count_mismatch("Sum", 0, 1) + "\"}");
}

TEST_CASE("MSG-017 CR-002 client results use ids s1, s2, … and return the client's answer",
          "[hub_connection][MSG-017][CR-002]") {
    fixture f;
    f.handshake(*f.a, *f.sink_a);
    f.a->on_data("{\"type\":1,\"invocationId\":\"1\",\"target\":\"ClientResult\",\"arguments\":[\"Result\",42]}\x1e");
    const auto asked = fixture::take(*f.sink_a);
    REQUIRE(asked.size() == 1);
    const auto id_at = asked[0].find("\"invocationId\":\"s");
    REQUIRE(id_at != std::string::npos);
    const auto id = asked[0].substr(id_at + 16, asked[0].find('"', id_at + 17) - id_at - 16);
    CHECK(asked[0] == "{\"type\":1,\"invocationId\":\"" + id + "\",\"target\":\"Result\",\"arguments\":[42]}");
    f.a->on_data("{\"type\":3,\"invocationId\":\"" + id + "\",\"result\":43}\x1e");
    CHECK(fixture::take(*f.sink_a) == std::vector<std::string>{"{\"type\":3,\"invocationId\":\"1\",\"result\":43}"});
}

TEST_CASE("ERR-007 a malformed message closes with an error and allowReconnect", "[hub_connection][ERR-007]") {
    fixture f;
    f.handshake(*f.a, *f.sink_a);
    f.a->on_data("{\"type\":1,\"arguments\":[]}\x1e");
    CHECK(fixture::take(*f.sink_a) ==
          std::vector<std::string>{
              "{\"type\":7,\"error\":\"Connection closed with an error.\",\"allowReconnect\":true}"});
    CHECK(f.sink_a->closed);
    CHECK(f.lifetime->size() == 0);
}

TEST_CASE("FRAME-010 a record over the maximum size closes the connection", "[hub_connection][FRAME-010]") {
    hub_options options;
    options.maximum_receive_message_size = 64;
    fixture f(options);
    f.handshake(*f.a, *f.sink_a);
    f.a->on_data("{\"type\":1,\"target\":\"Echo\",\"arguments\":[\"" + std::string(100, 'x'));
    CHECK(fixture::take(*f.sink_a) ==
          std::vector<std::string>{
              "{\"type\":7,\"error\":\"Connection closed with an error.\",\"allowReconnect\":true}"});
    CHECK(f.sink_a->closed);
}

TEST_CASE("ERR-009 Abort closes without error and without allowReconnect", "[hub_connection][ERR-009]") {
    fixture f;
    f.handshake(*f.a, *f.sink_a);
    f.a->on_data("{\"type\":1,\"invocationId\":\"1\",\"target\":\"Abort\",\"arguments\":[]}\x1e");
    CHECK(fixture::take(*f.sink_a) == std::vector<std::string>{"{\"type\":7}"});
    CHECK(f.sink_a->closed);
}

TEST_CASE("MSG-004 an unknown message type is skipped and later messages still flow", "[hub_connection][MSG-004]") {
    fixture f;
    f.handshake(*f.a, *f.sink_a);
    f.a->on_data("{\"type\":42}\x1e{\"type\":1,\"invocationId\":\"1\",\"target\":\"HelloWorld\",\"arguments\":[]}\x1e");
    CHECK(fixture::take(*f.sink_a) ==
          std::vector<std::string>{"{\"type\":3,\"invocationId\":\"1\",\"result\":\"Hello World!\"}"});
}

TEST_CASE("GRP-001 GRP-006 broadcasts reach everyone, Others skips the caller", "[hub_connection][GRP-001][GRP-006]") {
    fixture f;
    std::shared_ptr<recording_sink> sink_b;
    auto b = f.connect("conn-b", sink_b);
    f.handshake(*f.a, *f.sink_a);
    f.handshake(*b, *sink_b);
    f.a->on_data("{\"type\":1,\"target\":\"Broadcast\",\"arguments\":[1]}\x1e"
                 "{\"type\":1,\"target\":\"SendToOthers\",\"arguments\":[2]}\x1e");
    CHECK(fixture::take(*f.sink_a) ==
          std::vector<std::string>{"{\"type\":1,\"target\":\"Broadcast\",\"arguments\":[1]}"});
    CHECK(fixture::take(*sink_b) ==
          std::vector<std::string>{"{\"type\":1,\"target\":\"Broadcast\",\"arguments\":[1]}",
                                   "{\"type\":1,\"target\":\"Broadcast\",\"arguments\":[2]}"});
}

TEST_CASE("CR-007 a client result from a connection that ends fails with its text", "[hub_connection][CR-007]") {
    fixture f;
    std::shared_ptr<recording_sink> sink_b;
    auto b = f.connect("conn-b", sink_b);
    f.handshake(*f.a, *f.sink_a);
    f.handshake(*b, *sink_b);
    f.a->on_data("{\"type\":1,\"invocationId\":\"1\",\"target\":\"ClientResultFromConnection\",\"arguments\":"
                 "[\"conn-b\",\"Result\",1]}\x1e");
    b->on_transport_closed();
    CHECK(fixture::take(*f.sink_a) ==
          std::vector<std::string>{"{\"type\":3,\"invocationId\":\"1\",\"error\":\"An unexpected error occurred "
                                   "invoking 'ClientResultFromConnection' on the server. HubException: Connection "
                                   "'conn-b' disconnected.\"}"});
}
