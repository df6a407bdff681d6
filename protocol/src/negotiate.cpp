#include "hubspec/protocol/negotiate.hpp"

#include "hubspec/protocol/base64.hpp"
#include "hubspec/protocol/detail/helpers.hpp"
#include "hubspec/protocol/json_value.hpp"
#include "hubspec/protocol/texts.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>

namespace hubspec::protocol {

namespace {

constexpr std::int64_t server_max_version = 1; // the highest negotiate version ASP.NET Core speaks

constexpr std::string_view invalid_response_text = "Invalid negotiation response received.";

// .NET's whitespace for number and boolean parsing, as far as one byte can carry it.
bool is_dotnet_space(char c) noexcept {
    return c == ' ' || (c >= '\t' && c <= '\r');
}

// int.TryParse(s) with NumberStyles.Integer: optional blanks, one sign, ASCII digits,
// Int32 range; trailing NULs are tolerated as .NET tolerates them (NEG-005).
std::optional<std::int64_t> parse_dotnet_int32(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size() && is_dotnet_space(s[i]))
        ++i;
    bool negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
    const std::size_t digits_start = i;
    std::int64_t magnitude = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
        magnitude = magnitude * 10 + (s[i] - '0');
        if (magnitude > std::int64_t{std::numeric_limits<std::int32_t>::max()} + 1) return std::nullopt;
    }
    if (i == digits_start) return std::nullopt;
    while (i < s.size() && is_dotnet_space(s[i]))
        ++i;
    while (i < s.size() && s[i] == '\0')
        ++i;
    if (i != s.size()) return std::nullopt;
    const std::int64_t v = negative ? -magnitude : magnitude;
    if (v > std::numeric_limits<std::int32_t>::max()) return std::nullopt;
    return v;
}

// bool.TryParse(s): "true"/"false" in any case, blanks and NULs around allowed (NEG-026).
std::optional<bool> parse_dotnet_bool(std::string_view s) noexcept {
    while (!s.empty() && (is_dotnet_space(s.front()) || s.front() == '\0'))
        s.remove_prefix(1);
    while (!s.empty() && (is_dotnet_space(s.back()) || s.back() == '\0'))
        s.remove_suffix(1);
    if (detail::iequals(s, "true")) return true;
    if (detail::iequals(s, "false")) return false;
    return std::nullopt;
}

result<negotiate_response> failure(std::string message, std::string_view requirement = {}) {
    return result<negotiate_response>(
        boost::system::in_place_error,
        make_protocol_error(error::malformed_negotiate, std::move(message), 0, requirement));
}

std::string expected_type(std::string_view field, std::string_view type) {
    std::string out = "Expected '";
    out += field;
    out += "' to be of type ";
    out += type;
    out += '.';
    return out;
}

// Which requirement a malformed field breaks, for the report.
std::string_view requirement_of_field(std::string_view field) noexcept {
    if (field == "url" || field == "accessToken") return "NEG-018";
    if (field == "connectionId" || field == "connectionToken") return "NEG-010";
    if (field == "negotiateVersion") return "NEG-020";
    if (field == "useStatefulReconnect") return "NEG-026";
    if (field == "error") return "NEG-017";
    return "NEG-013";
}

// A string field; null reads as absent, as the TS client's JSON.parse sees it.
std::optional<protocol_error> read_string(const value& v, std::string_view field, std::optional<std::string>& out) {
    if (v.is_null()) {
        out.reset();
        return std::nullopt;
    }
    if (const auto* s = v.as_string()) {
        out = *s;
        return std::nullopt;
    }
    return make_protocol_error(error::malformed_negotiate, expected_type(field, "String"), 0,
                               requirement_of_field(field));
}

std::optional<protocol_error> read_transports(const value& v, std::vector<available_transport>& out) {
    const auto malformed = [](std::string message) {
        return make_protocol_error(error::malformed_negotiate, std::move(message), 0, "NEG-013");
    };
    const auto* entries = v.get_if<array>();
    if (entries == nullptr) return malformed(expected_type("availableTransports", "Array"));
    out.clear();
    for (const auto& entry : *entries) {
        const auto* fields = entry.get_if<map>();
        if (fields == nullptr) return malformed(expected_type("availableTransports", "Array of Object"));
        std::optional<std::string> transport;
        std::optional<std::vector<std::string>> formats;
        for (const auto& [key, item] : *fields) {
            const auto* name = key.as_string();
            if (name == nullptr) continue;
            if (*name == "transport") {
                const auto* s = item.as_string();
                if (s == nullptr) return malformed(expected_type("transport", "String"));
                transport = *s;
            } else if (*name == "transferFormats") {
                const auto* list = item.get_if<array>();
                if (list == nullptr) return malformed(expected_type("transferFormats", "Array"));
                formats.emplace();
                for (const auto& format : *list) {
                    const auto* s = format.as_string();
                    if (s == nullptr) return malformed(expected_type("transferFormats", "Array of String"));
                    formats->push_back(*s);
                }
            }
        }
        if (!transport) return malformed(texts::missing_required_property("transport"));
        if (!formats) return malformed(texts::missing_required_property("transferFormats"));
        out.push_back({std::move(*transport), std::move(*formats)});
    }
    return std::nullopt;
}

void write_transport(const available_transport& t, std::string& out) {
    out += "{\"transport\":";
    write_json_string(t.transport, out);
    out += ",\"transferFormats\":[";
    for (std::size_t i = 0; i < t.transfer_formats.size(); ++i) {
        if (i != 0) out += ',';
        write_json_string(t.transfer_formats[i], out);
    }
    out += "]}";
}

void write_property(std::string_view name, std::string_view text, std::string& out) {
    out += '"';
    out += name;
    out += "\":";
    write_json_string(text, out);
    out += ',';
}

bool present(const std::optional<std::string>& s) noexcept {
    return s && !s->empty();
}

using detail::iequals;

} // namespace

namespace {

// Every spelling of each transport, in one place: the wire's (NEG-013) and the options'.
struct transport_spelling {
    transport_type type;
    std::string_view wire;
    std::string_view option;
};
constexpr std::array<transport_spelling, 3> transport_spellings{{
    {transport_type::websockets, "WebSockets", "websockets"},
    {transport_type::server_sent_events, "ServerSentEvents", "serversentevents"},
    {transport_type::long_polling, "LongPolling", "longpolling"},
}};

const transport_spelling* spelling_of(transport_type t) noexcept {
    for (const auto& s : transport_spellings)
        if (s.type == t) return &s;
    return nullptr;
}

} // namespace

std::string_view transport_name(transport_type t) noexcept {
    const auto* s = spelling_of(t);
    return s ? s->wire : std::string_view{};
}

std::optional<transport_type> parse_transport_name(std::string_view name) noexcept {
    for (const auto& s : transport_spellings)
        if (s.wire == name) return s.type;
    return std::nullopt;
}

std::string_view transport_option_name(transport_type t) noexcept {
    const auto* s = spelling_of(t);
    return s ? s->option : std::string_view{"unknown"};
}

std::optional<transport_type> parse_transport_option(std::string_view text) noexcept {
    for (const auto& s : transport_spellings)
        if (s.option == text) return s.type;
    return parse_transport_name(text);
}

std::vector<transfer_format> transfer_formats_of(transport_type t) {
    if (t == transport_type::server_sent_events) return {transfer_format::text};
    return {transfer_format::text, transfer_format::binary};
}

std::optional<std::string> negotiate_response::transport_id() const {
    // TS treats an absent, zero or negative version alike (`!v || v < 1`).
    if (negotiate_version.value_or(0) < 1) return connection_id;
    return connection_token;
}

std::string write_negotiate_response(const negotiate_response& response) {
    std::string out = "{";
    // Empty strings count as absent, as .NET's string.IsNullOrEmpty checks do.
    if (present(response.error)) {
        write_property("error", *response.error, out);
        out.back() = '}';
        return out;
    }
    if (response.use_stateful_reconnect) out += "\"useStatefulReconnect\":true,";
    const auto version = response.negotiate_version.value_or(0);
    out += "\"negotiateVersion\":";
    out += std::to_string(version);
    out += ',';
    if (present(response.url)) write_property("url", *response.url, out);
    if (present(response.access_token)) write_property("accessToken", *response.access_token, out);
    if (present(response.connection_id)) write_property("connectionId", *response.connection_id, out);
    if (version > 0 && present(response.connection_token))
        write_property("connectionToken", *response.connection_token, out);
    out += "\"availableTransports\":[";
    for (std::size_t i = 0; i < response.available_transports.size(); ++i) {
        if (i != 0) out += ',';
        write_transport(response.available_transports[i], out);
    }
    out += "]}";
    return out;
}

result<negotiate_response> parse_negotiate_response(std::string_view body) {
    auto parsed = parse_json_value(body);
    if (!parsed) {
        auto e =
            make_protocol_error(error::malformed_negotiate, std::string(invalid_response_text), parsed.error().offset);
        return result<negotiate_response>(boost::system::in_place_error, std::move(e));
    }
    const auto* fields = parsed->get_if<map>();
    if (fields == nullptr) return failure(std::string(invalid_response_text));

    // Checked before any field, so a legacy server is named even when its other fields look odd.
    for (const auto& [key, item] : *fields) {
        if (const auto* name = key.as_string(); name != nullptr && *name == "ProtocolVersion") {
            return result<negotiate_response>(
                boost::system::in_place_error,
                make_protocol_error(error::legacy_server, std::string(texts::legacy_server)));
        }
    }

    negotiate_response response;
    bool has_transports = false;
    // Repeated properties: the last one wins, as in Microsoft's sequential readers.
    for (const auto& [key, item] : *fields) {
        const auto* name = key.as_string();
        if (name == nullptr) continue;
        std::optional<protocol_error> problem;
        if (*name == "error") {
            problem = read_string(item, *name, response.error);
        } else if (*name == "url") {
            problem = read_string(item, *name, response.url);
        } else if (*name == "accessToken") {
            problem = read_string(item, *name, response.access_token);
        } else if (*name == "connectionId") {
            problem = read_string(item, *name, response.connection_id);
        } else if (*name == "connectionToken") {
            problem = read_string(item, *name, response.connection_token);
        } else if (*name == "negotiateVersion") {
            if (item.is_null()) {
                response.negotiate_version.reset();
            } else if (const auto v = item.as_int64()) {
                response.negotiate_version = *v;
            } else {
                return failure(expected_type(*name, "Integer"), requirement_of_field(*name));
            }
        } else if (*name == "useStatefulReconnect") {
            if (item.is_null()) {
                response.use_stateful_reconnect = false;
            } else if (const auto* b = item.get_if<bool>()) {
                response.use_stateful_reconnect = *b;
            } else {
                return failure(expected_type(*name, "Boolean"), requirement_of_field(*name));
            }
        } else if (*name == "availableTransports") {
            if (item.is_null()) {
                has_transports = false;
                response.available_transports.clear();
            } else {
                problem = read_transports(item, response.available_transports);
                has_transports = true;
            }
        }
        // Anything else is a property a later server may add (NEG-016).
        if (problem) return result<negotiate_response>(boost::system::in_place_error, std::move(*problem));
    }

    // Without an error or a redirect, the fields a client needs to connect must be there,
    // as .NET's client requires them.
    if (!response.error && !response.url) {
        if (!response.connection_id)
            return failure(texts::missing_required_property("connectionId"),
                           response.negotiate_version.value_or(0) > 0 ? "NEG-010" : "NEG-011");
        if (response.negotiate_version.value_or(0) > 0 && !response.connection_token)
            return failure(texts::missing_required_property("connectionToken"), "NEG-010");
        if (!has_transports) return failure(texts::missing_required_property("availableTransports"), "NEG-013");
    }
    return response;
}

negotiate_request negotiate_request_from_query(std::string_view query) {
    // Repeated keys arrive joined with ',' as ASP.NET Core's StringValues.ToString() joins them,
    // so `negotiateVersion=1&negotiateVersion=1` is "1,1": a non-integer version.
    const auto joined = [](const query_parameters& params, std::string_view key) -> std::optional<std::string> {
        std::optional<std::string> out;
        for (const auto& [name, item] : params) {
            if (!iequals(name, key)) continue; // NEG-004
            if (out) {
                *out += ',';
                *out += item;
            } else {
                out = item;
            }
        }
        return out;
    };
    const auto params = parse_query(query);
    return {joined(params, "negotiateVersion"), joined(params, "useStatefulReconnect")};
}

negotiate_response negotiate(const negotiate_request& request, const negotiate_policy& policy,
                             const connection_ids& ids) {
    negotiate_response response;
    std::int64_t version = 0; // absent means version 0 (NEG-004)
    if (request.negotiate_version) {
        const auto requested = parse_dotnet_int32(*request.negotiate_version);
        if (!requested) {
            response.error = std::string(texts::non_integer_version);
            return response;
        }
        if (*requested < policy.minimum_protocol_version) {
            response.error = texts::unsupported_negotiate_version(*requested);
            return response;
        }
        version = std::min(*requested, server_max_version); // clamp, don't refuse (NEG-007)
    } else if (policy.minimum_protocol_version > 0) {
        response.error = texts::unsupported_negotiate_version(0);
        return response;
    }

    response.negotiate_version = version;
    response.connection_id = ids.connection_id;
    if (version >= 1) response.connection_token = ids.connection_token; // v0: the id is the token (NEG-011)
    response.use_stateful_reconnect = policy.allow_stateful_reconnects && request.use_stateful_reconnect &&
                                      parse_dotnet_bool(*request.use_stateful_reconnect).value_or(false);

    // Fixed order whatever order the policy lists them in (NEG-014).
    for (const auto t :
         {transport_type::websockets, transport_type::server_sent_events, transport_type::long_polling}) {
        if (std::find(policy.transports.begin(), policy.transports.end(), t) == policy.transports.end()) continue;
        available_transport entry{std::string(transport_name(t)), {}};
        for (const auto f : transfer_formats_of(t))
            entry.transfer_formats.emplace_back(transfer_format_name(f));
        response.available_transports.push_back(std::move(entry));
    }
    return response;
}

std::string encode_connection_id(const unsigned char (&random_bytes)[16]) {
    std::string out;
    append_base64(out, random_bytes, sizeof random_bytes, base64_alphabet::url, base64_padding::unpadded);
    return out;
}

} // namespace hubspec::protocol
