#pragma once
// The evidence of one cell (design §5): every request, response, frame, event and
// poll, decoded hub messages, with direction and time, in the order they happened.

#include "hubspec/reports/secrets.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace hubspec::harness {

enum class transcript_direction { sent, received, note };

struct transcript_entry {
    std::chrono::milliseconds at{0}; // since the cell started
    transcript_direction direction = transcript_direction::note;
    std::string actor; // the connection's name in the script ("a"), or "harness"
    std::string kind;  // "http-request", "http-response", "frame", "message", "step", "state", ...
    std::string text;  // one line: the request line, the decoded message as JSON, ...
    std::string bytes; // the payload as it went over the wire (may be binary), or empty
};

/// Thread-safe: connections report on their own I/O threads.
class transcript {
public:
    explicit transcript(std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now());
    void add(transcript_direction direction, std::string actor, std::string kind, std::string text,
             std::string bytes = {});
    std::vector<transcript_entry> entries() const;
    /// From now on, what `secrets` lists never enters the transcript.
    void redact_with(std::shared_ptr<const secret_list> secrets);

private:
    std::chrono::steady_clock::time_point start_;
    std::shared_ptr<const secret_list> secrets_;
    mutable std::mutex mutex_;
    std::vector<transcript_entry> entries_;
};

std::string_view to_string(transcript_direction d) noexcept; // "sent", "received", "note"

} // namespace hubspec::harness
