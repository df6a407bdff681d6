#pragma once
// The property both hub-protocol targets check: reading any bytes, in any
// split, never crashes; and whatever parses re-encodes to bytes that parse to
// the same encoding (write is a fixed point after one parse).

#include "hubspec/protocol/hub_protocol.hpp"
#include "hubspec/protocol/message_reader.hpp"

#include "fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hubspec::fuzz {

inline void check_hub_protocol(const protocol::hub_protocol& protocol, const std::uint8_t* data, std::size_t size) {
    if (size == 0) return;
    // The first byte picks the chunk size, so framing sees many different splits.
    const std::size_t chunk = 1 + data[0] % 64;
    const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

    protocol::message_reader reader(protocol, protocol::default_maximum_message_size);
    for (std::size_t at = 0; at < input.size(); at += chunk) {
        reader.feed(input.substr(at, chunk));
        while (true) {
            auto message = reader.next();
            if (!message) break;
            const std::string once = protocol.encode(*message);
            auto record = protocol.next_record(once);
            HUBSPEC_FUZZ_CHECK(record.has_value());
            auto again = protocol.parse(record->body);
            HUBSPEC_FUZZ_CHECK(again.has_value());
            HUBSPEC_FUZZ_CHECK(protocol.encode(*again) == once);
        }
    }
    (void)reader.finish();
}

} // namespace hubspec::fuzz
