#pragma once
// What every request and upgrade to the target carries (issue 12): `--header` lines and an
// access token, fixed or printed by a command run for each connection, as Microsoft's
// clients call accessTokenFactory. Each value is a secret the reports redact. And how the
// target's TLS certificate is checked (`--ca-file`, `--insecure`), which every connection uses too.

#include "engine/http_exchange.hpp"
#include "hubspec/reports/secrets.hpp"

#include <hubspec/client/options.hpp>

#include <memory>
#include <string>

namespace hubspec::harness::detail {

class credentials {
public:
    credentials() = default;
    /// `headers` as given; `token` and `token_command` at most one (both empty: none).
    credentials(header_list headers, std::string token, std::string token_command);

    bool has_token() const { return !token_.empty() || !token_command_.empty(); }
    /// The fixed token, or what the command printed now (its last line break trimmed); runtime_error
    /// naming the command and its exit status when it fails or prints nothing.
    std::string token() const;
    /// `own` (a step's headers, which win by name), then these headers, then `Authorization:
    /// Bearer <token>` (a fresh one) unless a header sets Authorization already.
    header_list request_headers(const header_list& own = {}) const;
    /// The same for a reference-client connection: the headers, and the token as its
    /// access token provider (Authorization on HTTP, access_token for WebSockets and SSE).
    /// (and the TLS settings)
    void add_to(client::connection_options& options) const;
    void set_tls(client::tls_options tls) { tls_ = std::move(tls); }
    const client::tls_options& tls() const { return tls_; }
    const header_list& headers() const { return headers_; }
    /// Whether the run was given any: without them, nothing needs redacting.
    bool has_secrets() const { return !headers_.empty() || has_token(); }
    /// Every secret seen so far, for transcripts and failure texts.
    std::shared_ptr<const secret_list> secrets() const { return secrets_; }
    std::string redact(std::string text) const { return secrets_->redact(std::move(text)); }

private:
    /// `own`, then those of these headers whose names `own` does not have.
    header_list with_headers(header_list own) const;

    header_list headers_;
    std::string token_;
    std::string token_command_;
    client::tls_options tls_;
    std::shared_ptr<secret_list> secrets_ = std::make_shared<secret_list>();
};

} // namespace hubspec::harness::detail
