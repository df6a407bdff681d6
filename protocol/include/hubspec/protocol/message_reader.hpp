#pragma once
// Incremental reader of framed hub messages: feed any split of bytes, take whole
// messages. The h11 shape: feed(), then next() until need_more.

#include "hubspec/protocol/error.hpp"
#include "hubspec/protocol/framing.hpp"
#include "hubspec/protocol/hub_message.hpp"
#include "hubspec/protocol/hub_protocol.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace hubspec::protocol {

class message_reader {
public:
    explicit message_reader(const hub_protocol& protocol, std::size_t max_message_size = no_size_limit);

    /// Appends bytes as they came off the transport.
    void feed(std::string_view bytes);

    /// The next whole message. error::need_more when no complete record is
    /// buffered (feed more, call again). Any other error is final: the reader
    /// keeps returning it. Errors carry the stream offset of the failing record.
    result<hub_message> next();

    /// Call when the transport ended: incomplete_record if a partial record
    /// is still buffered (FRAME-011).
    result<void> finish() const;

    /// Bytes fed but not yet consumed as whole records.
    std::size_t buffered() const noexcept { return buffer_.size() - start_; }
    /// Stream offset of the next unconsumed byte.
    std::size_t offset() const noexcept { return consumed_; }
    const hub_protocol& protocol() const noexcept { return *protocol_; }

private:
    const hub_protocol* protocol_;
    std::size_t max_message_size_;
    std::string buffer_;
    std::size_t start_ = 0;    // first unconsumed byte in buffer_
    std::size_t consumed_ = 0; // stream offset of buffer_[start_]
    std::optional<protocol_error> failed_;
};

} // namespace hubspec::protocol
