#include "hubspec/protocol/handshake_reader.hpp"

#include "hubspec/protocol/framing.hpp"
#include "hubspec/protocol/texts.hpp"

namespace hubspec::protocol {

handshake_outcome read_handshake_response(std::string_view received, std::size_t max_size) {
    auto record = next_json_record(received, max_size);
    if (!record) {
        if (record.error().is_need_more()) return handshake_need_more{};
        return handshake_failed{"Error parsing handshake response: " + record.error().message};
    }
    auto response = parse_handshake_response(record->body);
    if (!response) {
        if (response.error().code == error::unexpected_handshake_type)
            return handshake_failed{std::string(texts::expected_handshake_response)};
        return handshake_failed{"Error parsing handshake response: " + response.error().message};
    }
    if (response->error) return handshake_failed{texts::server_handshake_error(*response->error)};
    return handshake_succeeded{record->consumed};
}

result<handshake_request_read> read_handshake_request(std::string_view received, std::size_t max_size) {
    auto record = next_json_record(received, max_size);
    if (!record) return record.error();
    auto request = parse_handshake_request(record->body);
    if (!request) return request.error();
    return handshake_request_read{std::move(*request), record->consumed};
}

} // namespace hubspec::protocol
