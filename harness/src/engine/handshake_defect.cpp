#include "engine/handshake_defect.hpp"

#include <hubspec/protocol/framing.hpp>

namespace hubspec::harness::detail {
namespace {

/// The length of the JSON object `text` starts with (strings and escapes skipped); nullopt when
/// `text` does not start with `{` or the object is not whole.
std::optional<std::size_t> leading_object_length(std::string_view text) {
    if (text.empty() || text.front() != '{') return std::nullopt;
    int depth = 0;
    bool in_string = false, escaped = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if (c == '}' || c == ']') {
            if (--depth == 0) return i + 1;
        }
    }
    return std::nullopt;
}

} // namespace

std::optional<std::string> handshake_without_separator(std::string_view received) {
    const auto length = leading_object_length(received);
    if (!length || (*length < received.size() && received[*length] == protocol::record_separator)) return std::nullopt;
    const std::string response(received.substr(0, *length));
    if (*length == received.size()) return "`" + response + "` without the record separator (0x1E) after it";
    return "`" + response + "` followed by other bytes than the record separator (0x1E)";
}

} // namespace hubspec::harness::detail
