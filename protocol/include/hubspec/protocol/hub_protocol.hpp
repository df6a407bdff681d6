#pragma once
// The two hub protocols behind one interface: `json` (text) and `messagepack`
// (binary). Stateless and shared: the same instance serves every connection.

#include "hubspec/protocol/error.hpp"
#include "hubspec/protocol/framing.hpp"
#include "hubspec/protocol/hub_message.hpp"

#include <string>
#include <string_view>

namespace hubspec::protocol {

/// What a transport can carry (NEG-013); MessagePack needs binary.
enum class transfer_format { text = 1, binary = 2 };

std::string_view transfer_format_name(transfer_format f) noexcept; // "Text" / "Binary"

class hub_protocol {
public:
    virtual ~hub_protocol() = default;

    /// Name on the wire: "json" or "messagepack" (HS-002).
    virtual std::string_view name() const noexcept = 0;
    /// Highest handshake version understood (2 since stateful reconnect, HS-004).
    virtual int version() const noexcept = 0;
    virtual transfer_format format() const noexcept = 0;

    /// Appends `message` as one framed record (terminator or prefix included).
    virtual void write(const hub_message& message, std::string& out) const = 0;

    /// First complete record at the start of `input` (need_more until it is whole).
    virtual result<record_view> next_record(std::string_view input, std::size_t max_size = no_size_limit) const = 0;

    /// Parses one record body (no terminator, no prefix). An unknown type code
    /// yields unknown_message, which receivers skip (MSG-004).
    virtual result<hub_message> parse(std::string_view body) const = 0;

    /// Convenience: the framed bytes of one message.
    std::string encode(const hub_message& message) const {
        std::string out;
        write(message, out);
        return out;
    }

protected:
    hub_protocol() = default;
    hub_protocol(const hub_protocol&) = default;
    hub_protocol& operator=(const hub_protocol&) = default;
};

const hub_protocol& json_protocol() noexcept;
const hub_protocol& messagepack_protocol() noexcept;

/// The protocol named `name` on the wire, or nullptr (HS-005).
const hub_protocol* find_protocol(std::string_view name) noexcept;

} // namespace hubspec::protocol
