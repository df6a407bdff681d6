#include "hubspec/protocol/message_reader.hpp"

#include "hubspec/protocol/texts.hpp"

namespace hubspec::protocol {

message_reader::message_reader(const hub_protocol& protocol, std::size_t max_message_size)
    : protocol_(&protocol), max_message_size_(max_message_size) {}

void message_reader::feed(std::string_view bytes) {
    // Compact lazily: drop consumed bytes only when they dominate the buffer.
    if (start_ > 0 && start_ >= buffer_.size() / 2) {
        buffer_.erase(0, start_);
        start_ = 0;
    }
    buffer_.append(bytes);
}

result<hub_message> message_reader::next() {
    if (failed_) return *failed_;
    const std::string_view pending = std::string_view(buffer_).substr(start_);
    auto record = protocol_->next_record(pending, max_message_size_);
    if (!record) {
        if (record.error().is_need_more()) return record.error();
        auto failure = record.error();
        failure.offset += consumed_;
        failed_ = failure;
        return failure;
    }
    // A binary body starts after its length prefix; a JSON body at the record start.
    const std::size_t prefix_length =
        protocol_->format() == transfer_format::binary ? record->consumed - record->body.size() : 0;
    const std::size_t body_offset = consumed_ + prefix_length;
    auto message = protocol_->parse(record->body);
    start_ += record->consumed;
    consumed_ += record->consumed;
    if (!message) {
        auto failure = message.error();
        failure.offset += body_offset;
        failed_ = failure;
        return failure;
    }
    return message;
}

result<void> message_reader::finish() const {
    if (failed_) return *failed_;
    if (buffered() > 0) {
        return make_protocol_error(error::incomplete_record, std::string(texts::terminated_while_reading), consumed_);
    }
    return {};
}

} // namespace hubspec::protocol
