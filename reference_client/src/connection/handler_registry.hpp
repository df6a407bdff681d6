#pragma once
// Client method handlers by case-insensitive name (GRP-008, MSG-019). Thread-safe:
// users register from any thread while the dispatcher reads.

#include <hubspec/protocol/value.hpp>
#include <hubspec/protocol/value_list.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hubspec::client::detail {

using arguments = protocol::value_list;
/// A handler's return value is its client result (CR-002); nullopt = returned nothing.
using method_handler = std::function<std::optional<protocol::value>(const arguments&)>;

class handler_registry {
public:
    std::uint64_t add(std::string_view method, method_handler handler);
    void remove(std::string_view method);
    void remove(std::string_view method, std::uint64_t id);

    /// A snapshot of the handlers for `method`, so they run without the lock held.
    std::vector<method_handler> find(std::string_view method) const;

private:
    struct entry {
        std::uint64_t id;
        method_handler handler;
    };
    mutable std::mutex mutex_;
    std::map<std::string, std::vector<entry>> handlers_; // key lower-cased
    std::uint64_t next_id_ = 1;
};

/// The completion a client-result request gets from its handlers' returns (CR-002..CR-004).
struct client_result {
    std::optional<protocol::value> result;
    std::optional<std::string> error;
};
client_result combine_client_results(std::size_t handler_count, const std::vector<protocol::value>& returned,
                                     const std::optional<std::string>& thrown);

} // namespace hubspec::client::detail
