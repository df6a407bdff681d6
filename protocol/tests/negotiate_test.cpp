// NEG-*: the server's negotiate decision, the byte-exact writer and the client's parser
// (vectors from test-vectors.md §4).

#include "hubspec/protocol/negotiate.hpp"
#include "hubspec/protocol/texts.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace hubspec::protocol;

namespace {

constexpr std::string_view id = "zm1Ct7uQAp4Kc3r8Yt5Nnw";
constexpr std::string_view token = "Q6nO2b3y7kFqV0C1xWmE4A";

const connection_ids ids{std::string(id), std::string(token)};

constexpr std::string_view n01 =
    R"({"negotiateVersion":1,"connectionId":"zm1Ct7uQAp4Kc3r8Yt5Nnw","connectionToken":"Q6nO2b3y7kFqV0C1xWmE4A","availableTransports":[{"transport":"WebSockets","transferFormats":["Text","Binary"]},{"transport":"ServerSentEvents","transferFormats":["Text"]},{"transport":"LongPolling","transferFormats":["Text","Binary"]}]})";
constexpr std::string_view n02 =
    R"({"negotiateVersion":0,"connectionId":"zm1Ct7uQAp4Kc3r8Yt5Nnw","availableTransports":[{"transport":"WebSockets","transferFormats":["Text","Binary"]},{"transport":"ServerSentEvents","transferFormats":["Text"]},{"transport":"LongPolling","transferFormats":["Text","Binary"]}]})";
constexpr std::string_view n03 =
    R"({"useStatefulReconnect":true,"negotiateVersion":1,"connectionId":"zm1Ct7uQAp4Kc3r8Yt5Nnw","connectionToken":"Q6nO2b3y7kFqV0C1xWmE4A","availableTransports":[{"transport":"WebSockets","transferFormats":["Text","Binary"]}]})";
constexpr std::string_view n04_spec = R"({"url":"https://myapp.com/chat","accessToken":"accessToken"})";
constexpr std::string_view n04_dotnet =
    R"({"negotiateVersion":0,"url":"https://myapp.com/chat","accessToken":"accessToken","availableTransports":[]})";
constexpr std::string_view n05 = R"({"error":"The client requested a non-integer protocol version."})";

negotiate_response decide(std::string_view query, const negotiate_policy& policy = {}) {
    return negotiate(negotiate_request_from_query(query), policy, ids);
}

std::string answer(std::string_view query, const negotiate_policy& policy = {}) {
    return write_negotiate_response(decide(query, policy));
}

std::string error_text(std::int64_t version) {
    return texts::unsupported_negotiate_version(version);
}

protocol_error parse_failure(std::string_view body) {
    auto r = parse_negotiate_response(body);
    REQUIRE_FALSE(r.has_value());
    return r.error();
}

} // namespace

// --- names and formats -------------------------------------------------------------------------

TEST_CASE("NEG-013 transport names are WebSockets, ServerSentEvents and LongPolling", "[negotiate][NEG-013]") {
    CHECK(transport_name(transport_type::websockets) == "WebSockets");
    CHECK(transport_name(transport_type::server_sent_events) == "ServerSentEvents");
    CHECK(transport_name(transport_type::long_polling) == "LongPolling");
    CHECK(parse_transport_name("WebSockets") == transport_type::websockets);
    CHECK(parse_transport_name("ServerSentEvents") == transport_type::server_sent_events);
    CHECK(parse_transport_name("LongPolling") == transport_type::long_polling);
    CHECK_FALSE(parse_transport_name("websockets"));
    CHECK_FALSE(parse_transport_name("ForeverFrame"));
}

TEST_CASE("NEG-013 the command-line spellings of the transports round-trip", "[negotiate][NEG-013]") {
    for (auto t : {transport_type::websockets, transport_type::server_sent_events, transport_type::long_polling}) {
        CHECK(parse_transport_option(transport_option_name(t)) == t);
    }
    CHECK(transport_option_name(transport_type::server_sent_events) == "serversentevents");
    CHECK_FALSE(parse_transport_option("WebSocket"));
    CHECK_FALSE(parse_transport_option(""));
}

TEST_CASE("NEG-014 SSE carries text only while WebSockets and long polling carry text and binary",
          "[negotiate][NEG-014]") {
    using tf = transfer_format;
    CHECK(transfer_formats_of(transport_type::websockets) == std::vector<tf>{tf::text, tf::binary});
    CHECK(transfer_formats_of(transport_type::server_sent_events) == std::vector<tf>{tf::text});
    CHECK(transfer_formats_of(transport_type::long_polling) == std::vector<tf>{tf::text, tf::binary});
}

// --- the writer ---------------------------------------------------------------------------------

TEST_CASE("NEG-015 N-01 a version 1 response is written in the .NET property order", "[negotiate][NEG-015]") {
    const auto body = answer("negotiateVersion=1");
    CHECK(body == n01);
    CHECK(body.size() == 316);
}

TEST_CASE("NEG-015 N-02 a version 0 response is written without connectionToken", "[negotiate][NEG-015][NEG-011]") {
    const auto body = answer("");
    CHECK(body == n02);
    CHECK(body.size() == 273);
}

TEST_CASE("NEG-015 N-03 useStatefulReconnect comes first and only WebSockets is listed",
          "[negotiate][NEG-015][NEG-026]") {
    negotiate_policy policy;
    policy.transports = {transport_type::websockets};
    policy.allow_stateful_reconnects = true;
    const auto body = answer("negotiateVersion=1&useStatefulReconnect=true", policy);
    CHECK(body == n03);
    CHECK(body.size() == 220);
}

TEST_CASE("NEG-015 N-04 a redirect is written in the .NET form with an empty transport list",
          "[negotiate][NEG-015][NEG-018]") {
    negotiate_response redirect;
    redirect.url = "https://myapp.com/chat";
    redirect.access_token = "accessToken";
    const auto body = write_negotiate_response(redirect);
    CHECK(body == n04_dotnet);
    CHECK(body.size() == 106);
}

TEST_CASE("NEG-008 N-05 an error response holds the error property alone", "[negotiate][NEG-008][NEG-005]") {
    const auto body = answer("negotiateVersion=abc");
    CHECK(body == n05);
    CHECK(body.size() == 64);

    negotiate_response crowded = decide("negotiateVersion=1");
    crowded.error = "boom";
    crowded.use_stateful_reconnect = true;
    CHECK(write_negotiate_response(crowded) == R"({"error":"boom"})");
}

TEST_CASE("NEG-015 empty strings count as absent and a token is never written below version 1",
          "[negotiate][NEG-015][NEG-011]") {
    negotiate_response r;
    r.error = "";
    r.url = "";
    r.connection_id = "abc";
    r.connection_token = "must-not-appear"; // version absent = 0
    CHECK(write_negotiate_response(r) == R"({"negotiateVersion":0,"connectionId":"abc","availableTransports":[]})");
}

TEST_CASE("NEG-015 strings are escaped as ASP.NET Core's relaxed writer escapes them", "[negotiate][NEG-015]") {
    negotiate_response r;
    r.error = "quote \" backslash \\ apostrophe ' line\n";
    CHECK(write_negotiate_response(r) == R"({"error":"quote \" backslash \\ apostrophe ' line\n"})");
}

// --- the server's decision ------------------------------------------------------------------------

TEST_CASE("NEG-004 an absent negotiateVersion is version 0", "[negotiate][NEG-004]") {
    const auto r = decide("");
    CHECK_FALSE(r.error);
    CHECK(r.negotiate_version == 0);
    CHECK(decide("id=x&other=1").negotiate_version == 0);
}

TEST_CASE("NEG-004 the negotiateVersion key is matched case-insensitively", "[negotiate][NEG-004]") {
    CHECK(decide("NegotiateVersion=1").negotiate_version == 1);
    CHECK(decide("NEGOTIATEVERSION=1").negotiate_version == 1);
    CHECK(negotiate_request_from_query("?NegotiateVersion=1&UseStatefulReconnect=TRUE").use_stateful_reconnect ==
          "TRUE");
}

TEST_CASE("NEG-005 a non-integer version is refused with Microsoft's text and no connection", "[negotiate][NEG-005]") {
    for (const auto* query :
         {"negotiateVersion=abc", "negotiateVersion=", "negotiateVersion", "negotiateVersion=1.0",
          "negotiateVersion=1e0", "negotiateVersion=0x1", "negotiateVersion=2147483648", "negotiateVersion=-2147483649",
          "negotiateVersion=%2B%2B1", "negotiateVersion=1%201", "negotiateVersion=%EF%BC%91"}) {
        INFO(query);
        const auto r = decide(query);
        CHECK(r.error == std::string(texts::non_integer_version));
        CHECK_FALSE(r.connection_id);
        CHECK_FALSE(r.connection_token);
        CHECK(r.available_transports.empty());
    }
}

TEST_CASE("NEG-005 a repeated negotiateVersion is joined with a comma and so is not an integer",
          "[negotiate][NEG-005]") {
    CHECK(negotiate_request_from_query("negotiateVersion=1&NegotiateVersion=1").negotiate_version == "1,1");
    CHECK(decide("negotiateVersion=1&negotiateVersion=1").error == std::string(texts::non_integer_version));
}

TEST_CASE("NEG-005 versions are read as .NET's int.TryParse reads them", "[negotiate][NEG-005]") {
    CHECK(decide("negotiateVersion=%201%20").negotiate_version == 1); // blanks around
    CHECK(decide("negotiateVersion=+1").negotiate_version == 1);      // '+' is a space in a query
    CHECK(decide("negotiateVersion=%2B1").negotiate_version == 1);    // a real plus sign
    CHECK(decide("negotiateVersion=0001").negotiate_version == 1);
    CHECK(decide("negotiateVersion=2147483647").negotiate_version == 1);
    CHECK(decide("negotiateVersion=1%00").negotiate_version == 1); // trailing NULs, a .NET leniency
}

TEST_CASE("NEG-006 a version below the minimum is refused with the version in the text", "[negotiate][NEG-006]") {
    negotiate_policy policy;
    policy.minimum_protocol_version = 1;
    CHECK(decide("negotiateVersion=0", policy).error == error_text(0));
    CHECK(answer("negotiateVersion=0", policy) ==
          R"({"error":"The client requested version '0', but the server does not support this version."})");
    CHECK(decide("negotiateVersion=1", policy).negotiate_version == 1);

    // The text shows the parsed number, not the query text.
    CHECK(decide("negotiateVersion=-01", negotiate_policy{}).error == error_text(-1));
}

TEST_CASE("NEG-006 an absent version with a minimum above 0 is refused as version 0", "[negotiate][NEG-006]") {
    negotiate_policy policy;
    policy.minimum_protocol_version = 1;
    const auto r = decide("", policy);
    CHECK(r.error == error_text(0));
    CHECK_FALSE(r.connection_id);
}

TEST_CASE("NEG-007 a version above 1 is clamped to 1", "[negotiate][NEG-007]") {
    CHECK(decide("negotiateVersion=2").negotiate_version == 1);
    CHECK(answer("negotiateVersion=5") == n01); // N-06
    CHECK(decide("negotiateVersion=2147483647").negotiate_version == 1);
    // As in .NET, the clamp follows the minimum check, so a minimum above 1 still yields 1.
    negotiate_policy policy;
    policy.minimum_protocol_version = 2;
    CHECK(decide("negotiateVersion=5", policy).negotiate_version == 1);
    CHECK(decide("negotiateVersion=1", policy).error == error_text(1));
}

TEST_CASE("NEG-008 errors carry nothing but the error", "[negotiate][NEG-008]") {
    const auto r = decide("negotiateVersion=x");
    negotiate_response expected;
    expected.error = std::string(texts::non_integer_version);
    CHECK(write_negotiate_response(r) == write_negotiate_response(expected));
    CHECK(r == expected);
}

TEST_CASE("NEG-009 a successful response is one JSON object that parses back to itself", "[negotiate][NEG-009]") {
    for (const auto* query : {"", "negotiateVersion=1"}) {
        const auto r = decide(query);
        const auto back = parse_negotiate_response(write_negotiate_response(r));
        REQUIRE(back.has_value());
        CHECK(*back == r);
    }
}

TEST_CASE("NEG-010 version 1 has both a connection id and a different token", "[negotiate][NEG-010]") {
    const auto r = decide("negotiateVersion=1");
    CHECK(r.connection_id == std::string(id));
    CHECK(r.connection_token == std::string(token));
    CHECK(r.connection_id != r.connection_token);
}

TEST_CASE("NEG-011 version 0 has a connection id and no token", "[negotiate][NEG-011]") {
    const auto r = decide("negotiateVersion=0");
    CHECK(r.connection_id == std::string(id));
    CHECK_FALSE(r.connection_token);
}

TEST_CASE("NEG-012 a connection id is 16 bytes as 22 characters of unpadded base64url", "[negotiate][NEG-012]") {
    const unsigned char zeros[16] = {};
    CHECK(encode_connection_id(zeros) == "AAAAAAAAAAAAAAAAAAAAAA");
    unsigned char ones[16];
    for (auto& b : ones)
        b = 0xFF;
    CHECK(encode_connection_id(ones) == "_____________________w");
    const unsigned char mixed[16] = {0xFB, 0xEF, 0xBE, 0x00, 0x01, 0x02, 0x03, 0x04,
                                     0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0xFC};
    const auto s = encode_connection_id(mixed);
    CHECK(s == "----AAECAwQFBgcICQoL_A");
    CHECK(s.size() == 22);
}

TEST_CASE("NEG-013 NEG-014 transports are listed in the fixed order with their formats", "[negotiate][NEG-014]") {
    negotiate_policy policy;
    policy.transports = {transport_type::long_polling, transport_type::server_sent_events, transport_type::websockets};
    CHECK(answer("negotiateVersion=1", policy) == n01);
}

TEST_CASE("NEG-014 transports not enabled on the endpoint are omitted", "[negotiate][NEG-014]") {
    negotiate_policy policy;
    policy.transports = {transport_type::long_polling, transport_type::server_sent_events}; // no WebSocket host
    const auto r = decide("negotiateVersion=1", policy);
    REQUIRE(r.available_transports.size() == 2);
    CHECK(r.available_transports[0] == available_transport{"ServerSentEvents", {"Text"}});
    CHECK(r.available_transports[1] == available_transport{"LongPolling", {"Text", "Binary"}});

    policy.transports = {};
    CHECK(
        answer("negotiateVersion=1", policy) ==
        R"({"negotiateVersion":1,"connectionId":"zm1Ct7uQAp4Kc3r8Yt5Nnw","connectionToken":"Q6nO2b3y7kFqV0C1xWmE4A","availableTransports":[]})");
}

TEST_CASE("NEG-026 useStatefulReconnect needs both the endpoint option and a true query value",
          "[negotiate][NEG-026]") {
    negotiate_policy allowed;
    allowed.allow_stateful_reconnects = true;
    const negotiate_policy refused;

    CHECK(decide("negotiateVersion=1&useStatefulReconnect=true", allowed).use_stateful_reconnect);
    CHECK_FALSE(decide("negotiateVersion=1&useStatefulReconnect=true", refused).use_stateful_reconnect);
    CHECK_FALSE(decide("negotiateVersion=1", allowed).use_stateful_reconnect);
    CHECK(answer("negotiateVersion=1&useStatefulReconnect=true", refused) == n01);
}

TEST_CASE("NEG-026 the query value is read as .NET's bool.TryParse reads it", "[negotiate][NEG-026]") {
    negotiate_policy allowed;
    allowed.allow_stateful_reconnects = true;
    for (const auto* yes : {"true", "True", "TRUE", "tRuE", "%20true%20", "+true", "%09true%0A", "true%00"}) {
        INFO(yes);
        CHECK(decide(std::string("useStatefulReconnect=") + yes, allowed).use_stateful_reconnect);
    }
    for (const auto* no : {"false", "False", "1", "yes", "on", "", "tru", "truee", "t rue", "true,true"}) {
        INFO(no);
        CHECK_FALSE(decide(std::string("useStatefulReconnect=") + no, allowed).use_stateful_reconnect);
    }
    CHECK_FALSE(decide("useStatefulReconnect=true&useStatefulReconnect=true", allowed).use_stateful_reconnect);
    CHECK(decide("USESTATEFULRECONNECT=true", allowed).use_stateful_reconnect);
}

TEST_CASE("NEG-026 a version 0 client may still be granted stateful reconnect", "[negotiate][NEG-026]") {
    negotiate_policy allowed;
    allowed.allow_stateful_reconnects = true;
    CHECK(answer("useStatefulReconnect=true", allowed)
              .rfind(R"({"useStatefulReconnect":true,"negotiateVersion":0,)", 0) == 0);
}

// --- the client's parser ------------------------------------------------------------------------

TEST_CASE("NEG-016 N-01 N-02 N-03 parse into their fields", "[negotiate][NEG-016]") {
    const auto v1 = parse_negotiate_response(n01);
    REQUIRE(v1.has_value());
    CHECK(v1->negotiate_version == 1);
    CHECK(v1->connection_id == std::string(id));
    CHECK(v1->connection_token == std::string(token));
    CHECK_FALSE(v1->use_stateful_reconnect);
    REQUIRE(v1->available_transports.size() == 3);
    CHECK(v1->available_transports[1] == available_transport{"ServerSentEvents", {"Text"}});

    const auto v0 = parse_negotiate_response(n02);
    REQUIRE(v0.has_value());
    CHECK(v0->negotiate_version == 0);
    CHECK_FALSE(v0->connection_token);

    const auto sr = parse_negotiate_response(n03);
    REQUIRE(sr.has_value());
    CHECK(sr->use_stateful_reconnect);
    CHECK(write_negotiate_response(*sr) == n03);
}

TEST_CASE("NEG-016 property order, whitespace and unknown properties do not matter", "[negotiate][NEG-016]") {
    const auto body = R"( {
        "availableTransports" : [ { "transferFormats" : [ "Text" ], "extra" : {"a":[1,2]}, "transport" : "ServerSentEvents" } ],
        "somethingNew" : [1, {"x": null}],
        "connectionToken" : "tok",
        "connectionId" : "cid",
        "keepAliveInterval" : 15.5,
        "negotiateVersion" : 1
    } )";
    const auto r = parse_negotiate_response(body);
    REQUIRE(r.has_value());
    CHECK(r->connection_id == "cid");
    CHECK(r->connection_token == "tok");
    CHECK(r->negotiate_version == 1);
    CHECK(r->available_transports == std::vector<available_transport>{{"ServerSentEvents", {"Text"}}});
}

TEST_CASE("NEG-016 transport names and formats the client does not know are kept as strings", "[negotiate][NEG-016]") {
    const auto r = parse_negotiate_response(
        R"({"connectionId":"c","availableTransports":[{"transport":"WebTransport","transferFormats":["Text","Hologram"]}]})");
    REQUIRE(r.has_value());
    CHECK(r->available_transports == std::vector<available_transport>{{"WebTransport", {"Text", "Hologram"}}});
    CHECK_FALSE(parse_transport_name(r->available_transports[0].transport));
}

TEST_CASE("NEG-012 GUID-looking ids from the spec's example are opaque strings", "[negotiate][NEG-012][NEG-016]") {
    const auto r = parse_negotiate_response(
        R"({"connectionId":"807809a5-31bf-470d-9e23-afaee35d8a0d","negotiateVersion":0,"availableTransports":[{"transport":"WebSockets","transferFormats":["Text","Binary"]}]})");
    REQUIRE(r.has_value());
    CHECK(r->connection_id == "807809a5-31bf-470d-9e23-afaee35d8a0d");
    CHECK(r->transport_id() == "807809a5-31bf-470d-9e23-afaee35d8a0d");
}

TEST_CASE("NEG-017 an error response is returned with its message and nothing required beside it",
          "[negotiate][NEG-017]") {
    const auto r = parse_negotiate_response(n05);
    REQUIRE(r.has_value());
    CHECK(r->error == std::string(texts::non_integer_version));
    CHECK_FALSE(r->connection_id);

    const auto crowded = parse_negotiate_response(R"({"connectionId":"c","error":"nope"})");
    REQUIRE(crowded.has_value());
    CHECK(crowded->error == "nope");
}

TEST_CASE("NEG-018 both N-04 redirect forms parse to a url and an access token", "[negotiate][NEG-018]") {
    for (const auto body : {n04_spec, n04_dotnet}) {
        INFO(body);
        const auto r = parse_negotiate_response(body);
        REQUIRE(r.has_value());
        CHECK(r->url == "https://myapp.com/chat");
        CHECK(r->access_token == "accessToken");
        CHECK_FALSE(r->connection_id);
        CHECK(r->available_transports.empty());
    }
    const auto bare = parse_negotiate_response(R"({"url":"https://other/chat"})");
    REQUIRE(bare.has_value());
    CHECK(bare->url == "https://other/chat");
    CHECK_FALSE(bare->access_token);
}

TEST_CASE("NEG-020 without a version or at version 0 the connection id is the transport id", "[negotiate][NEG-020]") {
    negotiate_response r;
    r.connection_id = "cid";
    r.connection_token = "tok";
    CHECK(r.transport_id() == "cid");
    r.negotiate_version = 0;
    CHECK(r.transport_id() == "cid");
    r.negotiate_version = -1;
    CHECK(r.transport_id() == "cid");
    const auto parsed = parse_negotiate_response(n02);
    REQUIRE(parsed.has_value());
    CHECK(parsed->transport_id() == std::string(id));
}

TEST_CASE("NEG-021 from version 1 on the token is the transport id, never the connection id", "[negotiate][NEG-021]") {
    const auto parsed = parse_negotiate_response(n01);
    REQUIRE(parsed.has_value());
    CHECK(parsed->transport_id() == std::string(token));
    negotiate_response r;
    r.negotiate_version = 2;
    r.connection_id = "cid";
    CHECK_FALSE(r.transport_id());
}

TEST_CASE("NEG-024 a ProtocolVersion property names a legacy ASP.NET SignalR server", "[negotiate][NEG-024]") {
    for (const auto* body :
         {R"({"Url":"/signalr","ConnectionToken":"x","ConnectionId":"y","ProtocolVersion":"1.5"})",
          R"({"ProtocolVersion":"1.5","connectionId":7})", R"({"error":"x","ProtocolVersion":null})"}) {
        INFO(body);
        const auto e = parse_failure(body);
        CHECK(e.code == error::legacy_server);
        CHECK(e.message == texts::legacy_server);
        CHECK(e.requirement == "NEG-024");
    }
    // Names are case-sensitive, as both Microsoft clients compare them.
    CHECK(parse_negotiate_response(R"({"protocolVersion":"1.5","connectionId":"c","availableTransports":[]})")
              .has_value());
}

TEST_CASE("NEG-013 fields of the wrong type are malformed and named", "[negotiate][NEG-013]") {
    struct bad {
        const char* body;
        const char* message;
        const char* requirement;
    };
    for (const auto& [body, message, requirement] : {
             bad{R"({"connectionId":7,"availableTransports":[]})", "Expected 'connectionId' to be of type String.",
                 "NEG-010"},
             bad{R"({"url":true})", "Expected 'url' to be of type String.", "NEG-018"},
             bad{R"({"error":{}})", "Expected 'error' to be of type String.", "NEG-017"},
             bad{R"({"negotiateVersion":"1","connectionId":"c","availableTransports":[]})",
                 "Expected 'negotiateVersion' to be of type Integer.", "NEG-020"},
             bad{R"({"negotiateVersion":1.5,"connectionId":"c","availableTransports":[]})",
                 "Expected 'negotiateVersion' to be of type Integer.", "NEG-020"},
             bad{R"({"useStatefulReconnect":"true","connectionId":"c","availableTransports":[]})",
                 "Expected 'useStatefulReconnect' to be of type Boolean.", "NEG-026"},
             bad{R"({"connectionId":"c","availableTransports":{}})",
                 "Expected 'availableTransports' to be of type Array.", "NEG-013"},
             bad{R"({"connectionId":"c","availableTransports":["WebSockets"]})",
                 "Expected 'availableTransports' to be of type Array of Object.", "NEG-013"},
             bad{R"({"connectionId":"c","availableTransports":[{"transport":1,"transferFormats":[]}]})",
                 "Expected 'transport' to be of type String.", "NEG-013"},
             bad{R"({"connectionId":"c","availableTransports":[{"transport":"WebSockets","transferFormats":"Text"}]})",
                 "Expected 'transferFormats' to be of type Array.", "NEG-013"},
             bad{R"({"connectionId":"c","availableTransports":[{"transport":"WebSockets","transferFormats":[1]}]})",
                 "Expected 'transferFormats' to be of type Array of String.", "NEG-013"},
             bad{R"({"connectionId":"c","availableTransports":[{"transferFormats":["Text"]}]})",
                 "Missing required property 'transport'.", "NEG-013"},
             bad{R"({"connectionId":"c","availableTransports":[{"transport":"LongPolling"}]})",
                 "Missing required property 'transferFormats'.", "NEG-013"},
         }) {
        INFO(body);
        const auto e = parse_failure(body);
        CHECK(e.code == error::malformed_negotiate);
        CHECK(e.message == message);
        CHECK(e.requirement == requirement);
    }
}

TEST_CASE("NEG-013 a body that is not a JSON object is malformed", "[negotiate][NEG-013]") {
    for (const auto* body : {"", "[]", "\"x\"", "null", "{", R"({"connectionId":"c",})", "{} {}"}) {
        INFO(body);
        const auto e = parse_failure(body);
        CHECK(e.code == error::malformed_negotiate);
        CHECK(e.message == "Invalid negotiation response received.");
    }
}

TEST_CASE("NEG-010 NEG-011 NEG-013 a connect response lacking what a client needs is malformed",
          "[negotiate][NEG-010][NEG-011][NEG-013]") {
    auto e = parse_failure(R"({"negotiateVersion":0,"availableTransports":[]})");
    CHECK(e.message == texts::missing_required_property("connectionId"));
    CHECK(e.requirement == "NEG-011");
    e = parse_failure(R"({"negotiateVersion":1,"connectionId":"c","availableTransports":[]})");
    CHECK(e.message == texts::missing_required_property("connectionToken"));
    CHECK(e.requirement == "NEG-010");
    e = parse_failure(R"({"negotiateVersion":1,"connectionId":"c","connectionToken":"t"})");
    CHECK(e.message == texts::missing_required_property("availableTransports"));
    CHECK(e.requirement == "NEG-013");
    // A version 0 response needs no token.
    CHECK(parse_negotiate_response(R"({"connectionId":"c","availableTransports":[]})").has_value());
}

TEST_CASE("NEG-016 null reads as absent and a repeated property's last value wins", "[negotiate][NEG-016]") {
    const auto r = parse_negotiate_response(
        R"({"url":null,"accessToken":null,"error":null,"useStatefulReconnect":null,"negotiateVersion":null,"connectionId":"a","connectionId":"b","availableTransports":[]})");
    REQUIRE(r.has_value());
    CHECK_FALSE(r->url);
    CHECK_FALSE(r->error);
    CHECK_FALSE(r->negotiate_version);
    CHECK(r->connection_id == "b");
}

TEST_CASE("NEG-027 useStatefulReconnect is read so a client can refuse a grant it did not ask for",
          "[negotiate][NEG-027]") {
    for (const bool granted : {true, false}) {
        const auto body = std::string(R"({"useStatefulReconnect":)") + (granted ? "true" : "false") +
                          R"(,"connectionId":"c","availableTransports":[]})";
        const auto r = parse_negotiate_response(body);
        REQUIRE(r.has_value());
        CHECK(r->use_stateful_reconnect == granted);
    }
}
