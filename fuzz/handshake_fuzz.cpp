// Handshake request and response parsers (HS-*): never crash; what parses
// re-serialises to a request that parses to the same value.
#include "hubspec/protocol/handshake.hpp"

#include "fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hubspec::protocol;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    if (auto request = parse_handshake_request(input)) {
        const auto framed = write_handshake_request(*request);
        auto again = parse_handshake_request(std::string_view(framed).substr(0, framed.size() - 1));
        HUBSPEC_FUZZ_CHECK(again.has_value() && *again == *request);
    }
    if (auto response = parse_handshake_response(input)) {
        const auto framed = write_handshake_response(*response);
        auto again = parse_handshake_response(std::string_view(framed).substr(0, framed.size() - 1));
        HUBSPEC_FUZZ_CHECK(again.has_value() && *again == *response);
    }
    return 0;
}
