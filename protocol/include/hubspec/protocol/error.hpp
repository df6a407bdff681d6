#pragma once
// Errors of the protocol core. Nothing in protocol/ throws: every parser returns
// result<T>, whose error names what broke, the requirement ID it breaks, and
// (where Microsoft's implementation has one) Microsoft's literal text.

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

namespace hubspec::protocol {

enum class error {
    need_more = 1, // not a failure: feed more bytes (FRAME-003)

    // framing
    varint_too_long,   // prefix longer than 5 bytes or above 2^31-1 (FRAME-007)
    record_too_large,  // record over the maximum message size (FRAME-009)
    empty_record,      // RS alone, or a zero-length binary body (FRAME-012)
    incomplete_record, // the stream ended inside a record (FRAME-011)

    // JSON hub protocol
    invalid_json,        // not well-formed UTF-8 JSON text (FRAME-001)
    not_an_object,       // a record that is not a JSON object (MSG-002)
    missing_type,        // no numeric `type` (MSG-005); an unknown type is skipped, not an error
    missing_property,    // a required property is absent (MSG-011, MSG-020, MSG-031, MSG-050, MSG-082)
    wrong_property_type, // a property has the wrong JSON type (MSG-011)
    result_and_error,    // Completion carries both `result` and `error` (MSG-041)
    nesting_too_deep,    // hostile nesting beyond the parser's depth limit

    // MessagePack hub protocol
    invalid_messagepack, // not a well-formed MessagePack value (MSG-009)
    not_an_array,        // a message that is not a MessagePack array (MSG-009)
    too_few_items,       // array shorter than the message type's layout (MSG-009)
    invalid_result_kind, // Completion result kind not 1, 2 or 3 (MSG-043)
    truncated,           // a length that runs past the bytes present (FRAME-005)

    // handshake
    malformed_handshake,       // not {"protocol":string,"version":int} (HS-011)
    unexpected_handshake_type, // handshake response carries `type` (HS-016)
    handshake_rejected,        // the peer answered with `error` (HS-008, HS-016)

    // negotiate
    malformed_negotiate, // not a JSON object, or a field of the wrong type (NEG-013)
    negotiate_error,     // the response carries `error` (NEG-017)
    legacy_server,       // `ProtocolVersion` present: an ASP.NET (non-Core) server (NEG-024)

    // Server-Sent Events
    sse_line_too_long, // an SSE line beyond the parser's limit (SSE-008)

    // stateful reconnect
    sequence_id_too_high,  // Sequence(s) with s above the next expected number: messages lost (SR-015)
    ack_id_too_high,       // Ack(n) for a number never sent: the peer acked what it cannot have (SR-009)
    reconnect_after_close, // resume asked for after a graceful close ended the connection (SR-016)

    // Redis backplane (shared/spec/redis-backplane.md)
    invalid_backplane_payload, // a payload off ASP.NET Core's layout (RB-030..RB-051; the error names which)
};

/// Broad classes that callers branch on; tests check the exact `error`.
enum class condition {
    incomplete = 1, // wait for more bytes
    malformed,      // the peer sent bytes that break the protocol
    limit_exceeded, // a size limit was exceeded
    rejected,       // the peer refused (handshake or negotiate error)
    unsupported,    // well-formed, but not something this side supports
};

/// The requirement ID (`shared/spec/signalr-protocol.md`) an error breaks by default.
std::string_view requirement_of(error e) noexcept;

/// A fixed, short description of the error kind.
std::string_view describe(error e) noexcept;

const boost::system::error_category& protocol_category() noexcept;
const boost::system::error_category& protocol_condition_category() noexcept;

boost::system::error_code make_error_code(error e) noexcept;
boost::system::error_condition make_error_condition(condition c) noexcept;

/// One protocol failure, as a value. `message` is Microsoft's literal text where
/// Microsoft has one (for example "Missing required property 'target'."), else our
/// own; `requirement` defaults to requirement_of(code) and is more precise where the
/// parser knows better; `offset` is the byte offset in the input where it was seen.
struct protocol_error {
    error code = error::need_more;
    std::string_view requirement;
    std::string message;
    std::size_t offset = 0;

    bool is_need_more() const noexcept { return code == error::need_more; }
    /// "FRAME-007 at byte 3: Messages over 2GB in size are not supported."
    std::string to_string() const;
};

protocol_error make_protocol_error(error code, std::string message = {}, std::size_t offset = 0,
                                   std::string_view requirement = {});

template <class T>
using result = boost::system::result<T, protocol_error>;

/// Thrown only by result<T>::value() on an error, i.e. by callers above the core
/// who chose exceptions; the core itself never calls value() on a failure.
class protocol_exception : public std::runtime_error {
public:
    explicit protocol_exception(protocol_error e);
    const protocol_error& error() const noexcept { return error_; }

private:
    protocol_error error_;
};

[[noreturn]] void throw_exception_from_error(const protocol_error& e, const boost::source_location& loc);

} // namespace hubspec::protocol

namespace boost::system {
template <>
struct is_error_code_enum<hubspec::protocol::error> : std::true_type {};
template <>
struct is_error_condition_enum<hubspec::protocol::condition> : std::true_type {};
} // namespace boost::system
