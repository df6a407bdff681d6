// JSON hub protocol: framing + parsing + re-encoding (FRAME-001..003, MSG-*).
#include "hub_protocol_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    hubspec::fuzz::check_hub_protocol(hubspec::protocol::json_protocol(), data, size);
    return 0;
}
