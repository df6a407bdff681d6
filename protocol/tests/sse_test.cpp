// SSE-*: the event writer of SSE-005/006 and the EventSource-rules parser of SSE-008
// (vectors from test-vectors.md §7), the parser fed in every split.

#include "hubspec/protocol/sse.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace hubspec::protocol;
using hubspec::protocol::test::for_each_split;
using hubspec::protocol::test::from_hex;
using hubspec::protocol::test::to_hex;

namespace {

struct seen_event {
    std::string event;
    std::string data;
    bool operator==(const seen_event&) const = default;
};

std::ostream& operator<<(std::ostream& os, const seen_event& e) {
    return os << "{event=" << e.event << " data=" << to_hex(e.data) << "}";
}

/// Feeds the chunks into a fresh parser and collects every event until need_more.
std::vector<seen_event> parse_all(const std::vector<std::string_view>& chunks, std::size_t max_line = 1 << 20) {
    sse_parser parser(max_line);
    std::vector<seen_event> out;
    for (const auto chunk : chunks) {
        parser.feed(chunk);
        while (true) {
            auto e = parser.next();
            if (!e) {
                REQUIRE(e.error().is_need_more());
                break;
            }
            out.push_back({e->event, e->data});
        }
    }
    return out;
}

/// Checks that `stream` yields `expected` whole, split at every byte, and a byte at a time.
void check_every_split(std::string_view stream, const std::vector<seen_event>& expected) {
    for_each_split(stream, [&](const std::vector<std::string_view>& chunks) {
        INFO("chunks: " << chunks.size() << ", first: " << to_hex(chunks.front()));
        CHECK(parse_all(chunks) == expected);
    });
}

const std::string item3 = from_hex("64 61 74 61 3A 20 7B 7D 1E 0D 0A 0D 0A");
const std::string item4 = from_hex(
    "64 61 74 61 3A 20 7B 22 74 79 70 65 22 3A 31 2C 22 74 61 72 67 65 74 22 3A 22 53 65 6E 64 22 2C 22 61 72 67 75 "
    "6D 65 6E 74 73 22 3A 5B 22 68 69 22 5D 7D 1E 7B 22 74 79 70 65 22 3A 36 7D 1E 0D 0A 0D 0A");
const std::string item5 = from_hex(
    "64 61 74 61 3A 20 6C 69 6E 65 31 0D 0A 64 61 74 61 3A 20 6C 69 6E 65 32 0D 0A 64 61 74 61 3A 20 6C 69 6E 65 33 "
    "0D 0A 0D 0A");
const std::string two_records = "{\"type\":1,\"target\":\"Send\",\"arguments\":[\"hi\"]}\x1e{\"type\":6}\x1e";

} // namespace

// --- the writer -------------------------------------------------------------------------------------

TEST_CASE("SSE-005 the stream opens with the comment colon CRLF", "[sse][SSE-005]") {
    CHECK(to_hex(sse_stream_preamble) == "3A 0D 0A");
    CHECK(parse_all({sse_stream_preamble}).empty());
}

TEST_CASE("SSE-006 §7 item 3 the handshake response is one data line and a blank line", "[sse][SSE-006]") {
    CHECK(to_hex(sse_event("{}\x1e")) == to_hex(item3));
}

TEST_CASE("SSE-006 §7 item 4 two records travel in one event", "[sse][SSE-006][SSE-007]") {
    CHECK(to_hex(sse_event(two_records)) == to_hex(item4));
}

TEST_CASE("SSE-006 §7 item 5 a payload is split at LF and a CR before the LF is dropped", "[sse][SSE-006]") {
    CHECK(to_hex(sse_event("line1\r\nline2\nline3")) == to_hex(item5));
}

TEST_CASE("SSE-006 write_sse_event appends to what is already there", "[sse][SSE-006]") {
    std::string out(sse_stream_preamble);
    write_sse_event("{}\x1e", out);
    write_sse_event("a", out);
    CHECK(out == ":\r\ndata: {}\x1e\r\n\r\ndata: a\r\n\r\n");
}

TEST_CASE("SSE-006 a trailing LF makes an empty last line", "[sse][SSE-006]") {
    CHECK(sse_event("a\n") == "data: a\r\ndata: \r\n\r\n");
    CHECK(sse_event("\n") == "data: \r\ndata: \r\n\r\n");
    CHECK(sse_event("a\n\nb") == "data: a\r\ndata: \r\ndata: b\r\n\r\n");
}

TEST_CASE("SSE-006 only one CR of each line is dropped", "[sse][SSE-006]") {
    CHECK(sse_event("a\r\r\nb") == "data: a\r\r\ndata: b\r\n\r\n");
    CHECK(sse_event("a\rb") == "data: a\rb\r\n\r\n"); // a CR inside a line stays
    // The digest drops the CR of the last line too; .NET's formatter keeps it (see the report).
    CHECK(sse_event("a\nb\r") == "data: a\r\ndata: b\r\n\r\n");
}

TEST_CASE("SSE-006 an empty payload is a bare CRLF as .NET writes it", "[sse][SSE-006]") {
    CHECK(sse_event("") == "\r\n");
    CHECK(parse_all({sse_event("")}).empty());
}

// --- the parser ---------------------------------------------------------------------------------------

TEST_CASE("SSE-008 §7 a whole exchange parses the same in every split", "[sse][SSE-008]") {
    const auto stream = std::string(sse_stream_preamble) + item3 + item4 + item5;
    check_every_split(stream, {{"", "{}\x1e"}, {"", two_records}, {"", "line1\nline2\nline3"}});
}

TEST_CASE("SSE-008 writer output parses back to the payload with CRLF turned into LF", "[sse][SSE-008][SSE-006]") {
    for (const auto* payload : {"x", "{}\x1e", "a\nb", "a\r\nb\r\n", "\n\n", "data: nested\n\n:not a comment"}) {
        INFO(to_hex(payload));
        std::string expected;
        for (std::string_view p = payload; !p.empty(); p.remove_prefix(1))
            if (!(p.front() == '\r' && p.size() > 1 && p[1] == '\n')) expected += p.front();
        CHECK(parse_all({sse_event(payload)}) == std::vector<seen_event>{{"", expected}});
    }
}

TEST_CASE("SSE-008 lines end in CRLF, LF or CR, mixed in one stream", "[sse][SSE-008]") {
    const std::string stream = "data: a\rdata: b\n\r\ndata:c\r\rdata: d\r\n\ndata: e\n\r";
    check_every_split(stream, {{"", "a\nb"}, {"", "c"}, {"", "d"}, {"", "e"}});
}

TEST_CASE("SSE-008 a CR ending one chunk and an LF starting the next are one line end", "[sse][SSE-008]") {
    CHECK(parse_all({"data: a\r", "\n", "\r", "\n"}) == std::vector<seen_event>{{"", "a"}});
    CHECK(parse_all({"data: a\r", "\r"}) == std::vector<seen_event>{{"", "a"}});
    // The LF that belongs to a CR is not a second, blank line.
    CHECK(parse_all({"data: a\r", "\ndata: b\r", "\n\r\n"}) == std::vector<seen_event>{{"", "a\nb"}});
}

TEST_CASE("SSE-008 comment lines are skipped wherever they are", "[sse][SSE-008][SSE-005]") {
    const std::string stream = ":\r\n: keep-alive\r\ndata: a\r\n:: between\r\ndata: b\r\n\r\n:\r\n";
    check_every_split(stream, {{"", "a\nb"}});
}

TEST_CASE("SSE-008 one space after the colon is removed and only one", "[sse][SSE-008]") {
    CHECK(parse_all({"data:x\n\n"}) == std::vector<seen_event>{{"", "x"}});
    CHECK(parse_all({"data:  x \n\n"}) == std::vector<seen_event>{{"", " x "}});
    CHECK(parse_all({"data: a: b\n\n"}) == std::vector<seen_event>{{"", "a: b"}});
}

TEST_CASE("SSE-008 a data field without a colon or value adds an empty line", "[sse][SSE-008]") {
    CHECK(parse_all({"data\n\n"}) == std::vector<seen_event>{{"", ""}});
    CHECK(parse_all({"data\ndata\n\n"}) == std::vector<seen_event>{{"", "\n"}});
    CHECK(parse_all({"data:\ndata: x\n\n"}) == std::vector<seen_event>{{"", "\nx"}});
}

TEST_CASE("SSE-008 the event field is kept and other fields are ignored", "[sse][SSE-008]") {
    const std::string stream = "id: 7\nretry: 1000\nevent: update\nfoo: bar\nDATA: upper\ndata: a\n\ndata: b\n\n";
    check_every_split(stream, {{"update", "a"}, {"", "b"}});
}

TEST_CASE("SSE-008 a blank line without data dispatches nothing and resets the event type", "[sse][SSE-008]") {
    check_every_split("\n\r\n\revent: x\nid: 1\n\ndata: a\n\n", {{"", "a"}});
}

TEST_CASE("SSE-008 an event is not dispatched before its blank line", "[sse][SSE-008]") {
    sse_parser parser;
    parser.feed("data: a\ndata: b\n");
    auto e = parser.next();
    REQUIRE_FALSE(e.has_value());
    CHECK(e.error().is_need_more());
    parser.feed("\n");
    e = parser.next();
    REQUIRE(e.has_value());
    CHECK(e->data == "a\nb");
    CHECK(parser.next().error().is_need_more());
}

TEST_CASE("SSE-008 a UTF-8 BOM at the start of the stream is skipped", "[sse][SSE-008]") {
    check_every_split("\xEF\xBB\xBF:\r\ndata: a\r\n\r\n", {{"", "a"}});
    check_every_split("\xEF\xBB\xBF"
                      "data: a\n\n",
                      {{"", "a"}});
}

TEST_CASE("SSE-008 a BOM anywhere but the start is data", "[sse][SSE-008]") {
    // A second BOM makes the first field name "\xEF\xBB\xBFdata", an unknown field.
    check_every_split("\xEF\xBB\xBF\xEF\xBB\xBF"
                      "data: a\n\ndata: b\n\n",
                      {{"", "b"}});
    check_every_split("data: \xEF\xBB\xBFx\n\n", {{"", "\xEF\xBB\xBFx"}});
    check_every_split("\xEF\xBB"
                      "data: a\n\ndata: b\n\n",
                      {{"", "b"}});
}

TEST_CASE("SSE-008 a line at the length limit is accepted", "[sse][SSE-008]") {
    const std::string stream = "data: 12\r\n\r\n"; // 8 bytes before the CRLF
    for_each_split(stream, [&](const std::vector<std::string_view>& chunks) {
        CHECK(parse_all(chunks, 8) == std::vector<seen_event>{{"", "12"}});
    });
}

TEST_CASE("SSE-008 a line over the length limit is a final error", "[sse][SSE-008]") {
    const std::string stream = "data: a\n\ndata: 123\n\ndata: b\n\n";
    for_each_split(stream, [&](const std::vector<std::string_view>& chunks) {
        sse_parser parser(8);
        std::vector<seen_event> events;
        bool failed = false;
        for (const auto chunk : chunks) {
            parser.feed(chunk);
            while (!failed) {
                auto e = parser.next();
                if (e) {
                    events.push_back({e->event, e->data});
                    continue;
                }
                if (e.error().is_need_more()) break;
                CHECK(e.error().code == error::sse_line_too_long);
                CHECK(e.error().requirement == "SSE-008");
                failed = true;
            }
        }
        CHECK(failed);
        CHECK(events == std::vector<seen_event>{{"", "a"}});
        parser.feed("data: c\n\n"); // ignored: the parser is done
        auto after = parser.next();
        REQUIRE_FALSE(after.has_value());
        CHECK(after.error().code == error::sse_line_too_long);
    });
}

TEST_CASE("SSE-008 an overlong line is reported before its end arrives", "[sse][SSE-008]") {
    sse_parser parser(8);
    parser.feed("data: 12");
    CHECK(parser.next().error().is_need_more());
    parser.feed("3");
    auto e = parser.next();
    REQUIRE_FALSE(e.has_value());
    CHECK(e.error().code == error::sse_line_too_long);
}

TEST_CASE("SSE-008 a long stream fed a byte at a time stays correct after buffer compaction", "[sse][SSE-008]") {
    std::string stream(sse_stream_preamble);
    std::vector<seen_event> expected;
    for (int i = 0; i < 200; ++i) {
        const auto payload = "{\"type\":1,\"target\":\"T\",\"arguments\":[" + std::to_string(i) + "]}\x1e";
        write_sse_event(payload, stream);
        expected.push_back({"", payload});
    }
    sse_parser parser;
    std::vector<seen_event> seen;
    for (const char c : stream) {
        parser.feed(std::string_view(&c, 1));
        for (auto e = parser.next(); e; e = parser.next())
            seen.push_back({e->event, e->data});
    }
    CHECK(seen == expected);
}
