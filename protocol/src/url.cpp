#include "hubspec/protocol/url.hpp"

#include "hubspec/protocol/detail/helpers.hpp"

#include <algorithm>
#include <cctype>
#include <cstddef>

namespace hubspec::protocol {

namespace {

using detail::iequals;

int hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool is_unreserved(unsigned char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

// A URL cut where query parameters go: everything before '?', the query, and a '#fragment'.
struct url_parts {
    std::string_view base;  // scheme, authority and path
    std::string_view query; // without the '?'
    bool has_query = false;
    std::string_view fragment; // with the '#', or empty
};

url_parts split_url(std::string_view url) noexcept {
    url_parts parts;
    if (const auto hash = url.find('#'); hash != std::string_view::npos) {
        parts.fragment = url.substr(hash);
        url = url.substr(0, hash);
    }
    if (const auto question = url.find('?'); question != std::string_view::npos) {
        parts.has_query = true;
        parts.query = url.substr(question + 1);
        url = url.substr(0, question);
    }
    parts.base = url;
    return parts;
}

bool has_key(std::string_view query, std::string_view key) {
    // Case-sensitive, as both Microsoft clients check the user's URL (NEG-003).
    for (const auto& [name, value] : parse_query(query))
        if (name == key) return true;
    return false;
}

} // namespace

query_parameters parse_query(std::string_view query) {
    query_parameters out;
    if (!query.empty() && query.front() == '?') query.remove_prefix(1);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto segment = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (segment.empty()) continue;
        const auto eq = segment.find('=');
        if (eq == std::string_view::npos)
            out.emplace_back(percent_decode(segment), std::string{});
        else
            out.emplace_back(percent_decode(segment.substr(0, eq)), percent_decode(segment.substr(eq + 1)));
    }
    return out;
}

std::optional<std::string> find_query_parameter(const query_parameters& query, std::string_view key) {
    for (const auto& [name, value] : query)
        if (iequals(name, key)) return value;
    return std::nullopt;
}

std::string percent_encode(std::string_view s) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        const auto byte = static_cast<unsigned char>(c);
        if (is_unreserved(byte)) {
            out += c;
        } else {
            out += '%';
            out += digits[byte >> 4];
            out += digits[byte & 15];
        }
    }
    return out;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '+') {
            out += ' ';
        } else if (c == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
            i += 2;
        } else {
            out += c; // a stray '%' stays literal, as ASP.NET Core's query parser leaves it
        }
    }
    return out;
}

std::string append_query_parameter(std::string_view url, std::string_view key, std::string_view value) {
    const auto parts = split_url(url);
    std::string out(parts.base);
    if (!parts.has_query) {
        out += '?';
    } else {
        out += '?';
        out += parts.query;
        if (!parts.query.empty() && parts.query.back() != '&') out += '&';
    }
    out += percent_encode(key);
    out += '=';
    out += percent_encode(value);
    out += parts.fragment;
    return out;
}

std::string negotiate_url(std::string_view base_url, bool stateful_reconnect) {
    const auto parts = split_url(base_url);
    std::string url(parts.base);
    // An authority alone ("http://host") gets the path "/negotiate", as a WHATWG URL parser sees it.
    if (url.empty() || url.back() != '/') url += '/';
    url += "negotiate";
    if (parts.has_query) {
        url += '?';
        url += parts.query;
    }
    url += parts.fragment;
    if (!has_key(parts.query, "negotiateVersion")) url = append_query_parameter(url, "negotiateVersion", "1");
    // A user URL that already says useStatefulReconnect is kept as written, as the TS client does.
    if (stateful_reconnect && !has_key(parts.query, "useStatefulReconnect"))
        url = append_query_parameter(url, "useStatefulReconnect", "true");
    return url;
}

std::string websocket_url(std::string_view http_url) {
    const auto colon = http_url.find(':');
    if (colon == std::string_view::npos) return std::string(http_url);
    const auto scheme = http_url.substr(0, colon);
    if (iequals(scheme, "http")) return "ws" + std::string(http_url.substr(colon));
    if (iequals(scheme, "https")) return "wss" + std::string(http_url.substr(colon));
    return std::string(http_url);
}

std::string http_url::host_header() const {
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return h + ":" + port;
}

std::optional<http_url> parse_http_url(std::string_view url) {
    auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return std::nullopt;
    http_url out;
    out.scheme = detail::to_lower(url.substr(0, scheme_end));
    if (out.scheme != "http" && out.scheme != "https" && out.scheme != "ws" && out.scheme != "wss") return std::nullopt;
    auto rest = url.substr(scheme_end + 3);
    auto authority_end = rest.find_first_of("/?#");
    auto authority = rest.substr(0, authority_end);
    auto target = authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
    if (auto hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
    if (auto at = authority.rfind('@'); at != std::string_view::npos) authority = authority.substr(at + 1);
    if (authority.empty()) return std::nullopt;
    std::string_view port;
    if (authority.front() == '[') {
        auto close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        out.host = std::string(authority.substr(1, close - 1));
        auto after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return std::nullopt;
            port = after.substr(1);
        }
    } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        out.host = std::string(authority.substr(0, colon));
        port = authority.substr(colon + 1);
    } else {
        out.host = std::string(authority);
    }
    if (out.host.empty()) return std::nullopt;
    if (!std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c) != 0; }))
        return std::nullopt;
    out.port = port.empty() ? (out.secure() ? "443" : "80") : std::string(port);
    out.target = target.empty() ? "/" : (target.front() == '?' ? "/" + std::string(target) : std::string(target));
    return out;
}

} // namespace hubspec::protocol
