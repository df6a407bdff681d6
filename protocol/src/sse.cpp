#include "hubspec/protocol/sse.hpp"

// The parser keeps one theory: buffer_[start_..] holds bytes not yet read as lines.
// start_ == 0 means nothing has been consumed yet, which is where a BOM may sit;
// compaction therefore keeps one consumed byte, so start_ never returns to 0.

namespace hubspec::protocol {

namespace {

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

} // namespace

void write_sse_event(std::string_view payload, std::string& out) {
    // An empty payload is a bare CRLF, as .NET's ServerSentEventsMessageFormatter writes it.
    if (!payload.empty()) {
        while (true) {
            const auto lf = payload.find('\n');
            auto line = payload.substr(0, lf);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            out += "data: ";
            out += line;
            out += "\r\n";
            if (lf == std::string_view::npos) break;
            payload.remove_prefix(lf + 1);
        }
    }
    out += "\r\n";
}

std::string sse_event(std::string_view payload) {
    std::string out;
    write_sse_event(payload, out);
    return out;
}

void sse_parser::feed(std::string_view bytes) {
    if (failed_) return;
    if (start_ > 1) {
        buffer_.erase(0, start_ - 1);
        start_ = 1;
    }
    buffer_.append(bytes);
}

result<bool> sse_parser::take_line(std::string_view& line) {
    const auto too_long = [this] {
        failed_ = true;
        return result<bool>(
            boost::system::in_place_error,
            make_protocol_error(error::sse_line_too_long,
                                "An SSE line is longer than " + std::to_string(max_line_length_) + " bytes."));
    };
    if (start_ == 0) {
        const auto head = std::string_view(buffer_).substr(0, utf8_bom.size());
        if (utf8_bom.substr(0, head.size()) == head) {
            if (head.size() < utf8_bom.size()) return false; // maybe a BOM: wait for its last byte
            start_ = utf8_bom.size();
        }
    }
    if (skip_leading_lf_ && start_ < buffer_.size()) {
        skip_leading_lf_ = false;
        if (buffer_[start_] == '\n') ++start_;
    }
    const auto end = buffer_.find_first_of("\r\n", start_);
    if (end == std::string::npos) {
        if (buffer_.size() - start_ > max_line_length_) return too_long();
        return false;
    }
    if (end - start_ > max_line_length_) return too_long();
    line = std::string_view(buffer_).substr(start_, end - start_);
    start_ = end + 1;
    if (buffer_[end] == '\r') {
        if (start_ < buffer_.size()) {
            if (buffer_[start_] == '\n') ++start_;
        } else {
            skip_leading_lf_ = true; // the LF of this CRLF may come with the next feed
        }
    }
    return true;
}

result<sse_event_data> sse_parser::next() {
    while (true) {
        if (failed_) {
            return result<sse_event_data>(boost::system::in_place_error, make_protocol_error(error::sse_line_too_long));
        }
        std::string_view line;
        auto taken = take_line(line);
        if (!taken) return result<sse_event_data>(boost::system::in_place_error, taken.error());
        if (!*taken)
            return result<sse_event_data>(boost::system::in_place_error, make_protocol_error(error::need_more));

        if (line.empty()) {
            if (!saw_data_) {
                event_.clear(); // WHATWG: a blank line without data resets the event type
                continue;
            }
            sse_event_data event{std::move(event_), std::move(data_)};
            event_.clear();
            data_.clear();
            saw_data_ = false;
            return event;
        }
        if (line.front() == ':') continue; // a comment, such as the SSE-005 preamble

        const auto colon = line.find(':');
        const auto field = line.substr(0, colon);
        std::string_view item;
        if (colon != std::string_view::npos) {
            item = line.substr(colon + 1);
            if (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        }
        if (field == "data") {
            if (saw_data_) data_ += '\n'; // lines of one event join with LF (SSE-008)
            data_ += item;
            saw_data_ = true;
        } else if (field == "event") {
            event_.assign(item);
        }
        // id, retry and unknown fields carry nothing SignalR uses.
    }
}

} // namespace hubspec::protocol
