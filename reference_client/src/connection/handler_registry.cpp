#include "handler_registry.hpp"

#include <hubspec/protocol/detail/helpers.hpp>
#include <hubspec/protocol/texts.hpp>

#include <algorithm>

namespace hubspec::client::detail {

namespace {
std::string fold(std::string_view name) {
    return hubspec::protocol::detail::to_lower(name);
}
} // namespace

std::uint64_t handler_registry::add(std::string_view method, method_handler handler) {
    std::lock_guard lock(mutex_);
    auto id = next_id_++;
    handlers_[fold(method)].push_back({id, std::move(handler)});
    return id;
}

void handler_registry::remove(std::string_view method) {
    std::lock_guard lock(mutex_);
    handlers_.erase(fold(method));
}

void handler_registry::remove(std::string_view method, std::uint64_t id) {
    std::lock_guard lock(mutex_);
    auto it = handlers_.find(fold(method));
    if (it == handlers_.end()) return;
    std::erase_if(it->second, [id](const entry& e) { return e.id == id; });
    if (it->second.empty()) handlers_.erase(it);
}

std::vector<method_handler> handler_registry::find(std::string_view method) const {
    std::lock_guard lock(mutex_);
    std::vector<method_handler> out;
    if (auto it = handlers_.find(fold(method)); it != handlers_.end())
        for (const auto& e : it->second)
            out.push_back(e.handler);
    return out;
}

client_result combine_client_results(std::size_t handler_count, const std::vector<protocol::value>& returned,
                                     const std::optional<std::string>& thrown) {
    namespace texts = protocol::texts;
    if (thrown) return {std::nullopt, *thrown}; // CR-005
    if (handler_count == 0 || returned.empty())
        return {std::nullopt, std::string(texts::client_did_not_provide_result)};
    if (returned.size() > 1) return {std::nullopt, std::string(texts::client_provided_multiple_results)}; // CR-004
    return {returned.front(), std::nullopt};
}

} // namespace hubspec::client::detail
