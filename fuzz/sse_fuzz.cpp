// Server-Sent Events parser (SSE-008): any bytes in any split never crash, and
// an event written by the SSE-006 writer is read back intact.
#include "hubspec/protocol/sse.hpp"

#include "fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hubspec::protocol;
    if (size == 0) return 0;
    const std::size_t chunk = 1 + data[0] % 32;
    const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

    sse_parser parser(4096);
    for (std::size_t at = 0; at < input.size(); at += chunk) {
        parser.feed(input.substr(at, chunk));
        for (auto event = parser.next(); event; event = parser.next()) {}
    }

    // Payloads without CR survive the writer and parser unchanged (CRs are dropped by design, SSE-006).
    if (input.find('\r') == std::string_view::npos && !input.empty()) {
        sse_parser reader;
        reader.feed(sse_event(input));
        auto event = reader.next();
        HUBSPEC_FUZZ_CHECK(event.has_value());
        HUBSPEC_FUZZ_CHECK(event->data == input);
    }
    return 0;
}
