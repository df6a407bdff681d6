// Expected values with matchers (scenarios/README.md, "Matching values").

#include "engine/value_match.hpp"
#include "hubspec/harness/scenario_loader.hpp"

#include <catch2/catch.hpp>

using hubspec::harness::yaml_to_value;
using hubspec::harness::detail::mismatch;
using hubspec::protocol::value;

namespace {
value y(const std::string& text) {
    return yaml_to_value(text, "test.yaml");
}
} // namespace

TEST_CASE("equal values match and unequal ones name the difference", "[value_match]") {
    CHECK_FALSE(mismatch(y("[1, two, null, true]"), y("[1, two, null, true]")));
    auto why = mismatch(y("[1, 2]"), y("[1, 3]"));
    REQUIRE(why);
    CHECK(why->find("[1]") != std::string::npos);
    CHECK(why->find("expected 2, saw 3") != std::string::npos);
    CHECK(mismatch(y("[1, 2]"), y("[1, 2, 3]")));
    CHECK(mismatch(y("\"1\""), y("1"))); // a string is not a number
}

TEST_CASE("an integer and a float of the same number match, as JSON cannot tell them apart", "[value_match]") {
    CHECK_FALSE(mismatch(value{2}, value{2.0}));
    CHECK(mismatch(value{2}, value{2.5}));
}

TEST_CASE("a map matches on the keys given and names a missing one", "[value_match]") {
    CHECK_FALSE(mismatch(y("{a: 1}"), y("{a: 1, b: 2}")));
    auto why = mismatch(y("{c: 1}"), y("{a: 1}"));
    REQUIRE(why);
    CHECK(why->find("c: missing") != std::string::npos);
    CHECK(mismatch(y("{a: 1}"), y("[1]")));
}

TEST_CASE("matchers: $any, $contains, $type, $one_of, $not", "[value_match]") {
    CHECK_FALSE(mismatch(y("{$any: true}"), value{}));
    CHECK_FALSE(mismatch(y("{$contains: lo w}"), value{"hello world"}));
    CHECK(mismatch(y("{$contains: xyz}"), value{"hello"}));
    CHECK(mismatch(y("{$contains: xyz}"), value{3}));
    CHECK_FALSE(mismatch(y("{$type: integer}"), value{3}));
    CHECK_FALSE(mismatch(y("{$type: number}"), value{3.5}));
    CHECK(mismatch(y("{$type: string}"), value{3}));
    CHECK_FALSE(mismatch(y("{$one_of: [1, null]}"), value{}));
    CHECK(mismatch(y("{$one_of: [1, 2]}"), value{3}));
    CHECK_FALSE(mismatch(y("{$not: WebSockets}"), value{"LongPolling"}));
    CHECK(mismatch(y("{$not: WebSockets}"), value{"WebSockets"}));
    // {$not: ...} on an absent key holds: the key is not that value.
    CHECK_FALSE(mismatch(y("{error: {$not: {$any: true}}}"), y("{result: 1}")));
}

TEST_CASE("$binary in a script is bytes, as in hubspec's JSON view", "[value_match]") {
    hubspec::protocol::binary bytes{{1, 2, 3}};
    CHECK_FALSE(mismatch(y("{$binary: AQID}"), value{bytes}));
    CHECK(mismatch(y("{$binary: AQID}"), value{"AQID"}));
}

TEST_CASE("matchers: $regex matches whole strings and $length counts bytes, items and entries", "[value_match]") {
    CHECK_FALSE(mismatch(y("{$regex: '^[A-Za-z0-9_-]{22}$'}"), value{"AAAAAAAAAAAAAAAAAAAAAA"}));
    CHECK(mismatch(y("{$regex: '[0-9]+'}"), value{"12a"}));
    auto bad = mismatch(y("{$regex: '('}"), value{"x"});
    REQUIRE(bad);
    CHECK(bad->find("bad $regex") != std::string::npos);
    CHECK_FALSE(mismatch(y("{$length: 3}"), value{"abc"}));
    CHECK_FALSE(mismatch(y("{$length: 2}"), y("[1, 2]")));
    CHECK_FALSE(mismatch(y("{$length: {$one_of: [1, 2]}}"), y("{a: 1}")));
    CHECK(mismatch(y("{$length: 3}"), value{7}));
}
