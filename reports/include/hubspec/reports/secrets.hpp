#pragma once
// Secrets the reports must never show (issue 12): the values of --header, access tokens and
// what --access-token-command printed. Every occurrence in a transcript or a failure becomes
// "[redacted]". Thread-safe: a token command runs on the connecting thread.

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace hubspec::harness {

class secret_list {
public:
    /// Values shorter than `shortest` are not taken: they would blank out ordinary text.
    static constexpr std::size_t shortest = 4;

    void add(std::string secret);
    /// `text` with every secret replaced by "[redacted]".
    std::string redact(std::string text) const;

private:
    mutable std::mutex mutex_;
    std::vector<std::string> secrets_; // longest first, so that a secret inside another goes too
};

} // namespace hubspec::harness
