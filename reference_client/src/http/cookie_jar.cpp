#include "cookie_jar.hpp"

#include <hubspec/protocol/detail/helpers.hpp>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <optional>
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

/// Whether the attributes after the first ';' end the cookie now (RFC 6265 §5.2): the last valid
/// Max-Age at or below 0, or without one, an Expires in the past (how ASP.NET Core deletes a cookie).
bool expires_now(std::string_view attributes) {
    std::optional<long> max_age;
    std::optional<std::time_t> expires;
    while (!attributes.empty()) {
        const auto semicolon = attributes.find(';');
        const auto attribute = trim(attributes.substr(0, semicolon));
        attributes.remove_prefix(semicolon == std::string_view::npos ? attributes.size() : semicolon + 1);
        const auto eq = attribute.find('=');
        if (eq == std::string_view::npos) continue;
        const auto name = trim(attribute.substr(0, eq));
        const std::string value(trim(attribute.substr(eq + 1)));
        if (protocol::detail::iequals(name, "max-age")) {
            const bool digits =
                !value.empty() && value.find_first_not_of("0123456789", value[0] == '-' ? 1 : 0) == std::string::npos;
            if (digits && value != "-") max_age = std::strtol(value.c_str(), nullptr, 10); // else ignored
        } else if (protocol::detail::iequals(name, "expires")) {
            std::tm when{};
            const char* end = ::strptime(value.c_str(), "%a, %d %b %Y %H:%M:%S", &when);
            if (end) expires = ::timegm(&when);
        }
    }
    if (max_age) return *max_age <= 0;
    return expires && *expires <= std::time(nullptr);
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

void cookie_jar::add_to(header_list& headers) const {
    if (empty()) return;
    auto given = std::find_if(headers.begin(), headers.end(),
                              [](const auto& h) { return protocol::detail::iequals(h.first, "Cookie"); });
    if (given != headers.end())
        given->second += "; " + header(); // the user's cookies, then the server's
    else
        headers.emplace_back("Cookie", header());
}

} // namespace hubspec::client::detail
