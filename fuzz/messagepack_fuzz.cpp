// MessagePack hub protocol: VarInt framing + parsing + re-encoding (FRAME-005..009, MSG-*).
#include "hub_protocol_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    hubspec::fuzz::check_hub_protocol(hubspec::protocol::messagepack_protocol(), data, size);
    return 0;
}
