// Binding of hub-method parameters from the value model (MSG-090, MSG-092).
#include "hubspec/server/binding.hpp"

#include <catch2/catch.hpp>

using namespace hubspec::server;
namespace p = hubspec::protocol;

TEST_CASE("MSG-092 an int32 parameter binds integers in range only", "[binding][MSG-092]") {
    CHECK(bind_value<std::int32_t>(value(5)) == 5);
    CHECK(bind_value<std::int32_t>(value(-2147483648LL)) == -2147483647 - 1);
    CHECK_FALSE(bind_value<std::int32_t>(value(2147483648LL)));
    CHECK_FALSE(bind_value<std::int32_t>(value("two")));
    CHECK_FALSE(bind_value<std::int32_t>(value(1.5)));
    CHECK_FALSE(bind_value<std::int32_t>(value()));
}

TEST_CASE("MSG-092 int64, double, bool and string parameters bind their own kinds", "[binding][MSG-092]") {
    CHECK(bind_value<std::int64_t>(value(9007199254740991LL)) == 9007199254740991LL);
    CHECK(bind_value<double>(value(2)) == 2.0);
    CHECK(bind_value<double>(value(1.5)) == 1.5);
    CHECK(bind_value<bool>(value(true)) == true);
    CHECK_FALSE(bind_value<bool>(value(1)));
    CHECK(bind_value<std::string>(value("x")) == "x");
    CHECK_FALSE(bind_value<std::string>(value(1)));
}

TEST_CASE("MSG-093 a binary parameter binds MessagePack bin and a JSON base64 string", "[binding][MSG-093]") {
    const p::binary bytes{{0, 1, 0x1e, 0xff}};
    CHECK(bind_value<p::binary>(value(bytes)) == bytes);
    CHECK(bind_value<p::binary>(value("AAEe/w==")) == bytes);
    CHECK_FALSE(bind_value<p::binary>(value("not base64!")));
}

TEST_CASE("MSG-092 vectors and optionals bind element by element", "[binding][MSG-092]") {
    const value list(p::array{value(1), value(2)});
    CHECK(bind_value<std::vector<std::int32_t>>(list) == std::vector<std::int32_t>{1, 2});
    CHECK_FALSE(bind_value<std::vector<std::int32_t>>(value(p::array{value(1), value("x")})));
    const auto none = bind_value<std::optional<std::string>>(value());
    REQUIRE(none);
    CHECK_FALSE(*none);
    CHECK(bind_value<std::optional<std::string>>(value("a")) == std::optional<std::string>("a"));
    CHECK(to_value(std::vector<std::int32_t>{1, 2}) == list);
    CHECK(to_value(std::optional<std::string>{}) == value());
}
