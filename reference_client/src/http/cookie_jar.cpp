#include "cookie_jar.hpp"

#include <hubspec/protocol/detail/helpers.hpp>

#include <algorithm>
#include <cstdlib>
#include <string_view>

namespace hubspec::client::detail {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

/// Whether the attributes after the first ';' end the cookie now (Max-Age=0 or negative).
bool expires_now(std::string_view attributes) {
    while (!attributes.empty()) {
        const auto semicolon = attributes.find(';');
        const auto attribute = trim(attributes.substr(0, semicolon));
        attributes.remove_prefix(semicolon == std::string_view::npos ? attributes.size() : semicolon + 1);
        const auto eq = attribute.find('=');
        if (eq == std::string_view::npos || !protocol::detail::iequals(trim(attribute.substr(0, eq)), "max-age"))
            continue;
        const std::string seconds(trim(attribute.substr(eq + 1)));
        return !seconds.empty() && std::strtol(seconds.c_str(), nullptr, 10) <= 0;
    }
    return false;
}

} // namespace

void cookie_jar::take(const header_list& response_headers) {
    for (const auto& [field, line] : response_headers) {
        if (!protocol::detail::iequals(field, "Set-Cookie")) continue;
        const std::string_view text(line);
        const auto semicolon = text.find(';');
        const auto pair = trim(text.substr(0, semicolon));
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos || eq == 0) continue; // not a cookie (RFC 6265 §5.2: ignored)
        std::string name(trim(pair.substr(0, eq)));
        std::string value(trim(pair.substr(eq + 1)));
        const bool gone = semicolon != std::string_view::npos && expires_now(text.substr(semicolon + 1));
        auto known = std::find_if(cookies_.begin(), cookies_.end(), [&](const auto& c) { return c.first == name; });
        if (gone) {
            if (known != cookies_.end()) cookies_.erase(known);
        } else if (known != cookies_.end()) {
            known->second = std::move(value);
        } else {
            cookies_.emplace_back(std::move(name), std::move(value));
        }
    }
}

std::string cookie_jar::header() const {
    std::string out;
    for (const auto& [name, value] : cookies_) {
        if (!out.empty()) out += "; ";
        out += name + "=" + value;
    }
    return out;
}

} // namespace hubspec::client::detail
