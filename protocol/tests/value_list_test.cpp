// value_list: a message's arguments, inline up to four values, and what both
// hub protocols read into it (a call with few small arguments stays off the heap).

#include "hubspec/protocol/hub_protocol.hpp"
#include "hubspec/protocol/value_list.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <variant>
#include <vector>

using namespace hubspec::protocol;

namespace {

value_list counting(int n) {
    value_list out;
    for (int i = 0; i < n; ++i)
        out.emplace_back(i);
    return out;
}

std::vector<value> counting_vector(int n) {
    std::vector<value> out;
    for (int i = 0; i < n; ++i)
        out.emplace_back(i);
    return out;
}

} // namespace

TEST_CASE("value_list keeps four values inline and moves to the heap at the fifth") {
    auto list = counting(4);
    CHECK(list.is_inline());
    CHECK(list.capacity() == value_list::inline_capacity);
    list.emplace_back("fifth value, longer than the short-string buffer");
    CHECK_FALSE(list.is_inline());
    REQUIRE(list.size() == 5);
    CHECK_FALSE(list == counting_vector(4));
    for (int i = 0; i < 4; ++i)
        CHECK(list[static_cast<std::size_t>(i)] == value(i));
    CHECK(*list.back().as_string() == "fifth value, longer than the short-string buffer");
}

TEST_CASE("value_list copies and moves keep every value, inline or on the heap") {
    for (int n : {0, 1, 4, 5, 17}) {
        INFO(n << " values");
        const auto original = counting(n);
        value_list copy = original;
        CHECK(copy == original);
        value_list moved = std::move(copy);
        CHECK(moved == original);
        CHECK(copy.empty()); // NOLINT(bugprone-use-after-move): a moved-from list is empty and reusable
        copy.emplace_back("reused");
        CHECK(copy.size() == 1);

        value_list assigned{"replaced"};
        assigned = original;
        CHECK(assigned == original);
        value_list move_assigned = counting(3);
        move_assigned = std::move(assigned);
        CHECK(move_assigned == original);
        CHECK(move_assigned.is_inline() == (n <= 4));
    }
}

TEST_CASE("value_list converts to and from std::vector<value> and compares with it") {
    const auto vector = counting_vector(6);
    const value_list from_vector = vector;
    CHECK(from_vector == vector);
    CHECK(from_vector.to_array() == vector);
    value_list from_moved = counting_vector(2);
    CHECK(from_moved == counting_vector(2));
    CHECK(std::move(from_moved).to_array() == counting_vector(2));
    CHECK(value_list(3, value("x")) == std::vector<value>{"x", "x", "x"});
    CHECK_FALSE(value_list{1, 2} == std::vector<value>{1, 2, 3});
    CHECK_FALSE(value_list{1, 2} == value_list{1, 3});
}

TEST_CASE("value_list inserts, erases and appends one of its own values across growth") {
    value_list list{1, 4};
    const std::vector<value> middle{2, 3};
    list.insert(list.begin() + 1, middle.begin(), middle.end());
    CHECK(list == std::vector<value>{1, 2, 3, 4});
    list.emplace_back(list[0]); // grows past four while reading its own first value
    CHECK(list == std::vector<value>{1, 2, 3, 4, 1});
    list.erase(list.begin(), list.begin() + 2);
    CHECK(list == std::vector<value>{3, 4, 1});
    list.erase(list.begin() + 1);
    CHECK(list == std::vector<value>{3, 1});
    list.pop_back();
    CHECK(list == std::vector<value>{3});
    CHECK_THROWS_AS(list.at(1), std::out_of_range);
}

TEST_CASE("a call with up to four small arguments is read into inline storage by both protocols") {
    const invocation_message few{{}, "7", "Target", {1, "Foo", 2.0, true}, {}};
    const invocation_message many{{}, "8", "Target", {1, 2, 3, 4, 5, 6}, {}};
    for (const hub_protocol* protocol : {&json_protocol(), &messagepack_protocol()}) {
        INFO(protocol->name());
        for (const auto* sent : {&few, &many}) {
            const auto framed = protocol->encode(*sent);
            const auto record = protocol->next_record(framed);
            REQUIRE(record.has_value());
            auto parsed = protocol->parse(record->body);
            REQUIRE(parsed.has_value());
            const auto& call = std::get<invocation_message>(*parsed);
            CHECK(call == *sent);
            CHECK(call.arguments.is_inline() == (sent == &few));
        }
    }
}
