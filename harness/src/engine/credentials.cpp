#include "engine/credentials.hpp"

#include <hubspec/client/token_command.hpp>
#include <hubspec/protocol/detail/helpers.hpp>

#include <algorithm>

namespace hubspec::harness::detail {

credentials::credentials(header_list headers, std::string token, std::string token_command)
    : headers_(std::move(headers)), token_(std::move(token)), token_command_(std::move(token_command)) {
    for (const auto& [name, value] : headers_) {
        secrets_->add(value);
        if (protocol::detail::iequals(name, "Authorization") && value.starts_with("Bearer "))
            secrets_->add(value.substr(7));
    }
    secrets_->add(token_);
}

std::string credentials::token() const {
    if (!token_command_.empty()) {
        auto fresh = client::token_from_command(token_command_);
        secrets_->add(fresh);
        return fresh;
    }
    return token_;
}

namespace {

bool names(const header_list& headers, std::string_view name) {
    return std::any_of(headers.begin(), headers.end(),
                       [&](const auto& h) { return protocol::detail::iequals(h.first, name); });
}

} // namespace

header_list credentials::with_headers(header_list own) const {
    header_list out = own;
    for (const auto& header : headers_)
        if (!names(own, header.first)) out.push_back(header); // a repeated --header stays repeated
    return out;
}

header_list credentials::request_headers(const header_list& own) const {
    auto out = with_headers(own);
    if (has_token() && !names(out, "Authorization")) out.emplace_back("Authorization", "Bearer " + token());
    return out;
}

void credentials::add_to(client::connection_options& options) const {
    options.headers = with_headers(std::move(options.headers));
    options.tls = tls_;
    if (has_token() && !options.access_token_provider) {
        auto self = *this; // shares the secret list
        options.access_token_provider = [self] { return self.token(); };
    }
}

} // namespace hubspec::harness::detail
