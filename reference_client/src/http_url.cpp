#include "http_url.hpp"

#include <algorithm>
#include <cctype>

namespace hubspec::client::detail {

std::string http_url::host_header() const {
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return h + ":" + port;
}

std::optional<http_url> parse_http_url(std::string_view url) {
    auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return std::nullopt;
    http_url out;
    out.scheme = std::string(url.substr(0, scheme_end));
    std::transform(out.scheme.begin(), out.scheme.end(), out.scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
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

} // namespace hubspec::client::detail
