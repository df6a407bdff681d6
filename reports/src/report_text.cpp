#include "report_text.hpp"

#include "hubspec/protocol/json_value.hpp"

#include <cstdio>

namespace hubspec::harness::reports {

std::string valid_utf8(std::string_view text) {
    bool ascii = true;
    for (const char c : text) {
        if (static_cast<unsigned char>(c) >= 0x80) {
            ascii = false;
            break;
        }
    }
    if (ascii) return std::string(text);
    // The protocol core's JSON writer already repairs UTF-8 (U+FFFD) and its reader decodes it.
    std::string literal;
    protocol::write_json_string(text, literal);
    auto decoded = protocol::parse_json_value(literal);
    if (decoded && decoded->as_string() != nullptr) return *decoded->as_string();
    return std::string(text.size(), '?');
}

std::string json_string(std::string_view text) {
    std::string out;
    protocol::write_json_string(text, out);
    return out;
}

std::string xml_escape(std::string_view text, bool attribute) {
    const std::string valid = valid_utf8(text);
    std::string out;
    out.reserve(valid.size() + valid.size() / 8);
    for (std::size_t i = 0; i < valid.size(); ++i) {
        const auto c = static_cast<unsigned char>(valid[i]);
        switch (c) {
        case '&': out += "&amp;"; continue;
        case '<': out += "&lt;"; continue;
        case '>': out += "&gt;"; continue;
        case '"': out += "&quot;"; continue;
        case '\'': out += "&#39;"; continue;
        case '\t': out += attribute ? "&#9;" : "\t"; continue;
        case '\n': out += attribute ? "&#10;" : "\n"; continue;
        case '\r': out += "&#13;"; continue;
        default: break;
        }
        if (c < 0x20 || c == 0x7F) continue; // not allowed in XML 1.0 (DEL is allowed but invisible)
        // U+FFFE and U+FFFF (EF BF BE/BF) are not XML characters either.
        if (c == 0xEF && i + 2 < valid.size() && static_cast<unsigned char>(valid[i + 1]) == 0xBF &&
            (static_cast<unsigned char>(valid[i + 2]) & 0xFE) == 0xBE) {
            i += 2;
            continue;
        }
        out += static_cast<char>(c);
    }
    return out;
}

std::string markdown_escape(std::string_view text) {
    const std::string valid = valid_utf8(text);
    std::string out;
    out.reserve(valid.size() + valid.size() / 8);
    for (const char ch : valid) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '&': out += "&amp;"; continue;
        case '<': out += "&lt;"; continue;
        case '>': out += "&gt;"; continue;
        case '|': out += "\\|"; continue;
        case '\\':
        case '`':
        case '*':
        case '_':
        case '[':
        case ']':
        case '~':
        case '#':
            out += '\\';
            out += ch;
            continue;
        default: break;
        }
        if (c < 0x20 || c == 0x7F) {
            if (!out.empty() && out.back() != ' ') out += ' '; // one line: breaks and controls become a space
            continue;
        }
        out += ch;
    }
    return out;
}

std::string truncate_text(std::string_view text, std::size_t max_bytes) {
    if (text.size() <= max_bytes) return std::string(text);
    std::size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
        --cut; // not inside a UTF-8 sequence
    return std::string(text.substr(0, cut)) + "\xE2\x80\xA6";
}

std::string seconds_text(std::chrono::milliseconds d, int decimals) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, static_cast<double>(d.count()) / 1000.0);
    return buffer;
}

} // namespace hubspec::harness::reports
