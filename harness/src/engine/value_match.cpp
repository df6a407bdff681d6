#include "engine/value_match.hpp"

#include "hubspec/harness/message_json.hpp"

#include <hubspec/protocol/json_value.hpp>

#include <algorithm>
#include <cmath>
#include <regex>

namespace hubspec::harness::detail {
namespace {

using protocol::value;
using protocol::value_kind;

/// A one-key map whose key starts with '$' and is a matcher; nullptr otherwise.
const protocol::map_entry* matcher_of(const value& v) {
    const auto* m = v.get_if<protocol::map>();
    if (!m || m->size() != 1) return nullptr;
    const auto* key = (*m)[0].key.as_string();
    if (!key || key->empty() || (*key)[0] != '$' || *key == "$binary") return nullptr;
    return &(*m)[0];
}

bool numbers_equal(const value& a, const value& b) {
    auto as_double = [](const value& v) -> std::optional<double> {
        if (auto i = v.get_if<std::int64_t>()) return static_cast<double>(*i);
        if (auto u = v.get_if<std::uint64_t>()) return static_cast<double>(*u);
        if (auto d = v.get_if<double>()) return *d;
        return std::nullopt;
    };
    auto x = as_double(a), y = as_double(b);
    return x && y && *x == *y;
}

bool has_type(std::string_view type, const value& v) {
    const auto k = v.kind();
    if (type == "number")
        return k == value_kind::integer || k == value_kind::unsigned_integer || k == value_kind::floating;
    if (type == "integer") return k == value_kind::integer || k == value_kind::unsigned_integer;
    if (type == "float") return k == value_kind::floating;
    return protocol::kind_name(k) == type;
}

std::optional<std::string> match_at(const value& expected, const value& actual, const std::string& path);

std::optional<std::string> match_matcher(const protocol::map_entry& m, const value& actual, const std::string& path) {
    const auto& name = *m.key.as_string();
    const auto here = path.empty() ? std::string() : path + ": ";
    if (name == "$any") return std::nullopt;
    if (name == "$contains") {
        const auto* needle = m.item.as_string();
        const auto* text = actual.as_string();
        if (needle && text && text->find(*needle) != std::string::npos) return std::nullopt;
        return here + "expected a string containing " + show(m.item) + ", saw " + show(actual);
    }
    if (name == "$type") {
        const auto* type = m.item.as_string();
        if (type && has_type(*type, actual)) return std::nullopt;
        return here + "expected a value of type " + show(m.item) + ", saw " + show(actual);
    }
    if (name == "$one_of") {
        const auto* options = m.item.get_if<protocol::array>();
        if (options)
            for (const auto& option : *options)
                if (!match_at(option, actual, path)) return std::nullopt;
        return here + "expected one of " + show(m.item) + ", saw " + show(actual);
    }
    if (name == "$regex") { // ECMAScript syntax, matched against the whole string
        const auto* pattern = m.item.as_string();
        const auto* text = actual.as_string();
        try {
            if (pattern && text && std::regex_match(*text, std::regex(*pattern))) return std::nullopt;
        } catch (const std::regex_error& e) {
            return here + "bad $regex " + show(m.item) + ": " + e.what();
        }
        return here + "expected a string matching /" + (pattern ? *pattern : show(m.item)) + "/, saw " + show(actual);
    }
    if (name == "$length") { // of a string (bytes), binary, list or map
        std::optional<std::size_t> length;
        if (const auto* s = actual.as_string())
            length = s->size();
        else if (const auto* b = actual.get_if<protocol::binary>())
            length = b->bytes.size();
        else if (const auto* a = actual.get_if<protocol::array>())
            length = a->size();
        else if (const auto* mm = actual.get_if<protocol::map>())
            length = mm->size();
        if (length && !match_at(m.item, value{*length}, path)) return std::nullopt;
        return here + "expected a length matching " + show(m.item) + ", saw " + show(actual);
    }
    if (name == "$not") {
        if (match_at(m.item, actual, path)) return std::nullopt;
        return here + "expected anything but " + show(m.item) + ", saw " + show(actual);
    }
    return here + "unknown matcher " + name;
}

std::optional<std::string> match_at(const value& expected, const value& actual, const std::string& path) {
    if (const auto* m = matcher_of(expected)) return match_matcher(*m, actual, path);
    const auto here = path.empty() ? std::string() : path + ": ";
    if (const auto* wanted = expected.get_if<protocol::map>()) {
        // {"$binary": "..."} in a script means bytes.
        if (wanted->size() == 1 && (*wanted)[0].key.as_string() && *(*wanted)[0].key.as_string() == "$binary") {
            auto decoded = value_from_json(expected);
            if (decoded && *decoded == actual) return std::nullopt;
            return here + "expected " + show(expected) + ", saw " + show(actual);
        }
        const auto* got = actual.get_if<protocol::map>();
        if (!got) return here + "expected a map, saw " + show(actual);
        for (const auto& entry : *wanted) {
            const auto* key = entry.key.as_string();
            const value* item = key ? actual.find(*key) : nullptr;
            const auto where = path + (path.empty() ? "" : ".") + (key ? *key : show(entry.key));
            if (!item) {
                if (matcher_of(entry.item) && *matcher_of(entry.item)->key.as_string() == "$not") continue;
                return where + ": missing (expected " + show(entry.item) + ")";
            }
            if (auto why = match_at(entry.item, *item, where)) return why;
        }
        return std::nullopt;
    }
    if (const auto* wanted = expected.get_if<protocol::array>()) {
        const auto* got = actual.get_if<protocol::array>();
        if (!got) return here + "expected a list, saw " + show(actual);
        if (got->size() != wanted->size())
            return here + "expected " + std::to_string(wanted->size()) + " items " + show(expected) + ", saw " +
                   std::to_string(got->size()) + " " + show(actual);
        for (std::size_t i = 0; i < wanted->size(); ++i)
            if (auto why = match_at((*wanted)[i], (*got)[i], path + "[" + std::to_string(i) + "]")) return why;
        return std::nullopt;
    }
    if (expected.kind() == value_kind::floating || actual.kind() == value_kind::floating) {
        if (numbers_equal(expected, actual)) return std::nullopt;
    } else if (expected == actual) {
        return std::nullopt;
    }
    return here + "expected " + show(expected) + ", saw " + show(actual);
}

} // namespace

std::optional<std::string> mismatch(const protocol::value& expected, const protocol::value& actual) {
    return match_at(expected, actual, "");
}

namespace {
/// Binary and extensions need hubspec's JSON view; everything else reads best as plain JSON.
bool needs_view(const protocol::value& v) {
    if (v.kind() == value_kind::binary || v.kind() == value_kind::extension) return true;
    if (const auto* a = v.get_if<protocol::array>())
        return std::any_of(a->begin(), a->end(), [](const value& item) { return needs_view(item); });
    if (const auto* m = v.get_if<protocol::map>())
        return std::any_of(m->begin(), m->end(),
                           [](const protocol::map_entry& e) { return !e.key.as_string() || needs_view(e.item); });
    return false;
}
} // namespace

std::string show(const protocol::value& v) {
    if (!needs_view(v)) return protocol::to_json(v);
    std::string out;
    write_value_json(v, out);
    return out;
}

} // namespace hubspec::harness::detail
