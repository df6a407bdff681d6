#include "hubspec/reports/secrets.hpp"

#include <algorithm>

namespace hubspec::harness {

void secret_list::add(std::string secret) {
    if (secret.size() < shortest) return;
    std::lock_guard lock(mutex_);
    if (std::find(secrets_.begin(), secrets_.end(), secret) != secrets_.end()) return;
    secrets_.push_back(std::move(secret));
    std::sort(secrets_.begin(), secrets_.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::string secret_list::redact(std::string text) const {
    static constexpr std::string_view mark = "[redacted]";
    std::lock_guard lock(mutex_);
    for (const auto& secret : secrets_) {
        for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + mark.size()))
            text.replace(at, secret.size(), mark);
    }
    return text;
}

} // namespace hubspec::harness
