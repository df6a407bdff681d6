#include "hubspec/protocol/texts.hpp"

namespace hubspec::protocol::texts {

namespace {

std::string concat(std::initializer_list<std::string_view> parts) {
    std::string out;
    for (auto p : parts)
        out += p;
    return out;
}

} // namespace

std::string unsupported_protocol(std::string_view protocol) {
    return concat({"The protocol '", protocol, "' is not supported."});
}

std::string unsupported_protocol_version(std::string_view protocol, std::int64_t version) {
    return concat(
        {"The server does not support version ", std::to_string(version), " of the '", protocol, "' protocol."});
}

std::string unsupported_transfer_format(std::string_view protocol, std::string_view format) {
    return concat({"Cannot use the '", protocol,
                   "' protocol on the current transport. The transport does not support '", format,
                   "' transfer format."});
}

std::string server_handshake_error(std::string_view error) {
    return concat({"Server returned handshake error: ", error});
}

std::string unsupported_negotiate_version(std::int64_t version) {
    return concat({"The client requested version '", std::to_string(version),
                   "', but the server does not support this version."});
}

std::string maximum_message_size_exceeded(std::size_t limit) {
    return concat({"The maximum message size of ", std::to_string(limit),
                   "B was exceeded. The message size can be configured in AddHubOptions."});
}

std::string missing_required_property(std::string_view name) {
    return concat({"Missing required property '", name, "'."});
}

std::string server_close_error(std::string_view error) {
    return concat({"Server returned an error on close: ", error});
}

std::string failed_to_invoke(std::string_view method) {
    return concat({"Failed to invoke '", method, "' due to an error on the server."});
}

std::string method_does_not_exist(std::string_view method) {
    return concat({failed_to_invoke(method), " HubException: Method does not exist."});
}

std::string unexpected_error_invoking(std::string_view method) {
    return concat({"An unexpected error occurred invoking '", method, "' on the server."});
}

std::string unauthorized_invoke(std::string_view method) {
    return concat({"Failed to invoke '", method, "' because user is unauthorized"});
}

std::string streaming_method_with_invocation(std::string_view method) {
    return concat(
        {"The client attempted to invoke the streaming '", method, "' method with a non-streaming invocation."});
}

std::string non_streaming_method_with_stream_invocation(std::string_view method) {
    return concat(
        {"The client attempted to invoke the non-streaming '", method, "' method with a streaming invocation."});
}

std::string invocation_id_in_use(std::string_view id) {
    return concat({"Invocation ID '", id, "' is already in use."});
}

std::string stream_count_mismatch(std::string_view method, std::size_t sent, std::size_t expected) {
    return concat({unexpected_error_invoking(method), " HubException: Client sent ", std::to_string(sent),
                   " stream(s), Hub method expects ", std::to_string(expected), "."});
}

std::string argument_count_mismatch(std::size_t provided, std::size_t expected) {
    return concat({"Invocation provides ", std::to_string(provided), " argument(s) but target expects ",
                   std::to_string(expected), "."});
}

} // namespace hubspec::protocol::texts
