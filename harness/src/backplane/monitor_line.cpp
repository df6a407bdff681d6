#include "monitor_line.hpp"

#include "hubspec/protocol/hex.hpp"

#include <cctype>

namespace hubspec::harness::backplane {

namespace {

/// One quoted argument starting at text[pos] == '"'; advances pos past the closing quote.
std::optional<std::string> quoted(std::string_view text, std::size_t& pos) {
    std::string out;
    for (++pos; pos < text.size(); ++pos) {
        const char c = text[pos];
        if (c == '"') {
            ++pos;
            return out;
        }
        if (c != '\\') {
            out.push_back(c);
            continue;
        }
        if (++pos >= text.size()) return std::nullopt;
        switch (const char e = text[pos]) {
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'a': out.push_back('\a'); break;
        case 'b': out.push_back('\b'); break;
        case 'x': {
            if (pos + 2 >= text.size()) return std::nullopt;
            const int high = protocol::hex_digit_value(text[pos + 1]);
            const int low = protocol::hex_digit_value(text[pos + 2]);
            if (high < 0 || low < 0) return std::nullopt;
            out.push_back(static_cast<char>(high * 16 + low));
            pos += 2;
            break;
        }
        default: out.push_back(e); break; // \" and \\ and anything else stand for themselves
        }
    }
    return std::nullopt;
}

} // namespace

std::optional<monitor_command> parse_monitor_line(std::string_view line) {
    if (!line.empty() && line.front() == '+') line.remove_prefix(1); // a status reply's marker
    const auto open = line.find(" [");
    const auto close = line.find("] ", open == std::string_view::npos ? 0 : open);
    if (open == std::string_view::npos || close == std::string_view::npos || open == 0) return std::nullopt;
    monitor_command out;
    out.time = std::string(line.substr(0, open));
    if (!std::isdigit(static_cast<unsigned char>(out.time.front()))) return std::nullopt;
    const std::string_view inside = line.substr(open + 2, close - open - 2); // "0 127.0.0.1:40922"
    const auto space = inside.find(' ');
    out.client = std::string(space == std::string_view::npos ? inside : inside.substr(space + 1));
    std::size_t pos = close + 2;
    while (pos < line.size()) {
        if (line[pos] == ' ') {
            ++pos;
            continue;
        }
        if (line[pos] != '"') return std::nullopt;
        auto argument = quoted(line, pos);
        if (!argument) return std::nullopt;
        out.argv.push_back(std::move(*argument));
    }
    if (out.argv.empty()) return std::nullopt;
    return out;
}

} // namespace hubspec::harness::backplane
