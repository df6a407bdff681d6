#include "hubspec/harness/contract.hpp"

#include <algorithm>
#include <cctype>

namespace hubspec::harness {

const std::vector<contract_method>& contract_methods() {
    static const std::vector<contract_method> methods{
        {"Echo", ""},
        {"HelloWorld", ""},
        {"VoidMethod", ""},
        {"Add", ""},
        {"ThrowException", ""},
        {"ThrowHubException", ""},
        {"Delay", ""},
        {"GetCallerConnectionId", ""},
        {"GetActiveTransportName", ""},
        {"GetUserIdentifier", ""},
        {"GetHeader", ""},
        {"EchoToCaller", ""},
        {"Broadcast", ""},
        {"SendToOthers", ""},
        {"SendToConnection", ""},
        {"SendToUser", ""},
        {"JoinGroup", ""},
        {"LeaveGroup", ""},
        {"SendToGroup", ""},
        {"SendToOthersInGroup", ""},
        {"ManyArgs", ""},
        {"Sequence", ""},
        {"Stream", ""},
        {"EmptyStream", ""},
        {"InfiniteStream", ""},
        {"StreamThrowException", ""},
        {"GetCancelCount", ""},
        {"Sum", ""},
        {"UploadConcat", ""},
        {"StreamEcho", ""},
        {"ClientResult", ""},
        {"Abort", ""},
        {"SendMessage", "chat"},
        {"AddConnectionToGroup", "", true},
        {"RemoveConnectionFromGroup", "", true},
        {"ClientResultFromConnection", "", true},
    };
    return methods;
}

const contract_method* find_contract_method(std::string_view name) {
    const auto& all = contract_methods();
    const auto it = std::find_if(all.begin(), all.end(), [&](const contract_method& m) {
        return std::equal(m.name.begin(), m.name.end(), name.begin(), name.end(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        });
    });
    return it == all.end() ? nullptr : &*it;
}

std::optional<std::string> add_method_role(method_role_map& roles, std::string_view text) {
    const auto eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0 || eq + 1 == text.size())
        return "--method wants ROLE=NAME (e.g. echo=MyEcho), got `" + std::string(text) + "`";
    const auto* role = find_contract_method(text.substr(0, eq));
    if (!role)
        return "--method " + std::string(text) + ": `" + std::string(text.substr(0, eq)) +
               "` is not a method of the conformance hub contract (shared/spec/conformance-hub.md)";
    roles[std::string(role->name)] = std::string(text.substr(eq + 1));
    return std::nullopt;
}

} // namespace hubspec::harness
