#pragma once
// What a transport offers the hub connection it carries (the adapters implement it).

#include <memory>
#include <string>

namespace hubspec::server::detail {

class transport_sink {
public:
    virtual ~transport_sink() = default;
    /// The hub protocol's transfer format, fixed at the handshake (WS-007).
    virtual void set_binary(bool binary) = 0;
    /// Whole records, written in order; several may share one transport message.
    virtual void send(std::shared_ptr<const std::string> records) = 0;
    /// Flush what is queued, then end the transport gracefully.
    virtual void close() = 0;
    /// Drop the transport at once, as a network failure would: a stateful
    /// reconnect replaced it (SR-019). Transports that cannot resume just close.
    virtual void abandon() { close(); }
    /// End the transport at once without a goodbye (the control API's drop): what a
    /// lost network does. It reports an ungraceful end to the router as usual.
    virtual void drop() { abandon(); }

protected:
    transport_sink() = default;
    transport_sink(const transport_sink&) = default;
    transport_sink& operator=(const transport_sink&) = default;
};

} // namespace hubspec::server::detail
