#include "hubspec/protocol/error.hpp"

#include <string>

namespace hubspec::protocol {

namespace {

struct error_info {
    std::string_view requirement;
    std::string_view description;
    condition cond;
};

error_info info_of(error e) noexcept {
    switch (e) {
    case error::need_more: return {"FRAME-003", "need more bytes", condition::incomplete};
    case error::varint_too_long: return {"FRAME-007", "length prefix too long", condition::malformed};
    case error::record_too_large:
        return {"FRAME-009", "record exceeds the maximum message size", condition::limit_exceeded};
    case error::empty_record: return {"FRAME-012", "empty record", condition::malformed};
    case error::incomplete_record: return {"FRAME-011", "stream ended inside a record", condition::malformed};
    case error::invalid_json: return {"FRAME-001", "invalid JSON", condition::malformed};
    case error::not_an_object: return {"MSG-002", "message is not a JSON object", condition::malformed};
    case error::missing_type: return {"MSG-005", "missing or non-numeric message type", condition::malformed};
    case error::missing_property: return {"MSG-011", "missing required property", condition::malformed};
    case error::wrong_property_type: return {"MSG-011", "property of the wrong type", condition::malformed};
    case error::result_and_error: return {"MSG-041", "result and error are mutually exclusive", condition::malformed};
    case error::nesting_too_deep: return {"MSG-002", "values nested too deeply", condition::limit_exceeded};
    case error::invalid_messagepack: return {"MSG-009", "invalid MessagePack", condition::malformed};
    case error::not_an_array: return {"MSG-009", "message is not a MessagePack array", condition::malformed};
    case error::too_few_items: return {"MSG-009", "message array has too few items", condition::malformed};
    case error::invalid_result_kind: return {"MSG-043", "invalid invocation result kind", condition::malformed};
    case error::truncated: return {"FRAME-005", "length runs past the bytes present", condition::malformed};
    case error::malformed_handshake: return {"HS-011", "malformed handshake", condition::malformed};
    case error::unexpected_handshake_type:
        return {"HS-016", "handshake response is a hub message", condition::malformed};
    case error::handshake_rejected: return {"HS-008", "handshake rejected", condition::rejected};
    case error::malformed_negotiate: return {"NEG-013", "malformed negotiate response", condition::malformed};
    case error::negotiate_error: return {"NEG-017", "negotiate returned an error", condition::rejected};
    case error::legacy_server: return {"NEG-024", "ASP.NET (non-Core) SignalR server", condition::unsupported};
    case error::sse_line_too_long: return {"SSE-008", "Server-Sent Events line too long", condition::limit_exceeded};
    case error::sequence_id_too_high:
        return {"SR-015", "Sequence ID above the next expected message", condition::malformed};
    case error::ack_id_too_high: return {"SR-009", "Ack ID above the last message sent", condition::malformed};
    case error::reconnect_after_close:
        return {"SR-016", "no stateful reconnect after a graceful close", condition::unsupported};
    case error::invalid_backplane_payload:
        return {"RB-030", "backplane payload off ASP.NET Core's layout", condition::malformed};
    }
    return {"", "unknown error", condition::malformed};
}

// Boost's error_category keeps its destructor protected and non-virtual by design.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class protocol_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "hubspec.protocol"; }
    std::string message(int ev) const override { return std::string(describe(static_cast<error>(ev))); }
    boost::system::error_condition default_error_condition(int ev) const noexcept override {
        return make_error_condition(info_of(static_cast<error>(ev)).cond);
    }
};

class condition_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "hubspec.protocol.condition"; }
    std::string message(int ev) const override {
        switch (static_cast<condition>(ev)) {
        case condition::incomplete: return "incomplete";
        case condition::malformed: return "malformed";
        case condition::limit_exceeded: return "limit exceeded";
        case condition::rejected: return "rejected";
        case condition::unsupported: return "unsupported";
        }
        return "unknown condition";
    }
};

#pragma GCC diagnostic pop

} // namespace

std::string_view requirement_of(error e) noexcept {
    return info_of(e).requirement;
}
std::string_view describe(error e) noexcept {
    return info_of(e).description;
}

const boost::system::error_category& protocol_category() noexcept {
    static const protocol_category_impl category;
    return category;
}

const boost::system::error_category& protocol_condition_category() noexcept {
    static const condition_category_impl category;
    return category;
}

boost::system::error_code make_error_code(error e) noexcept {
    return {static_cast<int>(e), protocol_category()};
}

boost::system::error_condition make_error_condition(condition c) noexcept {
    return {static_cast<int>(c), protocol_condition_category()};
}

std::string protocol_error::to_string() const {
    std::string out(requirement.empty() ? requirement_of(code) : requirement);
    out += " at byte ";
    out += std::to_string(offset);
    out += ": ";
    out += message.empty() ? std::string(describe(code)) : message;
    return out;
}

protocol_error make_protocol_error(error code, std::string message, std::size_t offset, std::string_view requirement) {
    return protocol_error{code, requirement.empty() ? requirement_of(code) : requirement,
                          message.empty() ? std::string(describe(code)) : std::move(message), offset};
}

protocol_exception::protocol_exception(protocol_error e) : std::runtime_error(e.to_string()), error_(std::move(e)) {}

void throw_exception_from_error(const protocol_error& e, const boost::source_location&) {
    throw protocol_exception(e);
}

} // namespace hubspec::protocol
