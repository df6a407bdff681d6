#include "hubspec/harness/codec_commands.hpp"

#include "hubspec/harness/message_json.hpp"
#include "hubspec/protocol/framing.hpp"
#include "hubspec/protocol/handshake.hpp"
#include "hubspec/protocol/hex.hpp"
#include "hubspec/protocol/hub_protocol.hpp"
#include "hubspec/protocol/json_value.hpp"
#include "hubspec/protocol/message_reader.hpp"

#include <istream>
#include <iterator>
#include <ostream>

namespace hubspec::harness {

namespace proto = hubspec::protocol;

namespace {

const proto::hub_protocol* protocol_or_complain(const std::string& name, std::ostream& err) {
    const auto* protocol = proto::find_protocol(name);
    if (protocol == nullptr) err << "unknown protocol '" << name << "' (expected json or messagepack)\n";
    return protocol;
}

/// Decodes the leading handshake record; returns the bytes consumed, or nullopt after reporting.
std::optional<std::size_t> decode_handshake(handshake_role role, std::string_view input, std::ostream& out,
                                            std::ostream& err) {
    auto record = proto::next_json_record(input);
    if (!record) {
        err << "malformed input: "
            << (record.error().is_need_more() ? "the handshake record has no record separator"
                                              : record.error().to_string())
            << '\n';
        return std::nullopt;
    }
    std::string line;
    if (role == handshake_role::request) {
        auto request = proto::parse_handshake_request(record->body);
        if (!request) {
            err << "malformed input: " << request.error().to_string() << '\n';
            return std::nullopt;
        }
        line = "{\"type\":\"HandshakeRequest\",\"protocol\":";
        proto::write_json_string(request->protocol, line);
        line += ",\"version\":" + std::to_string(request->version) + "}";
    } else {
        auto response = proto::parse_handshake_response(record->body);
        if (!response) {
            err << "malformed input: " << response.error().to_string() << '\n';
            return std::nullopt;
        }
        line = "{\"type\":\"HandshakeResponse\"";
        if (response->error) {
            line += ",\"error\":";
            proto::write_json_string(*response->error, line);
        }
        line += "}";
    }
    out << line << '\n';
    return record->consumed;
}

} // namespace

int run_decode(const codec_options& options, std::istream& in, std::ostream& out, std::ostream& err) {
    const auto* protocol = protocol_or_complain(options.protocol, err);
    if (protocol == nullptr) return 2;

    std::string input((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (options.hex) {
        auto bytes = proto::parse_hex(input);
        if (!bytes) {
            err << "the input is not hex text (pairs of hex digits, whitespace ignored)\n";
            return 2;
        }
        input = std::move(*bytes);
    }

    std::size_t start = 0;
    if (options.handshake != handshake_role::none) {
        auto consumed = decode_handshake(options.handshake, input, out, err);
        if (!consumed) return 1;
        start = *consumed;
    }

    proto::message_reader reader(*protocol, options.max_message_size.value_or(proto::no_size_limit));
    reader.feed(std::string_view(input).substr(start));
    while (true) {
        auto message = reader.next();
        if (!message) {
            if (message.error().is_need_more()) break;
            auto failure = message.error();
            failure.offset += start;
            err << "malformed input: " << failure.to_string() << '\n';
            return 1;
        }
        out << message_to_json(*message) << '\n';
    }
    if (auto done = reader.finish(); !done) {
        auto failure = done.error();
        failure.offset += start;
        err << "malformed input: " << failure.to_string() << '\n';
        return 1;
    }
    return 0;
}

int run_encode(const codec_options& options, std::istream& in, std::ostream& out, std::ostream& err) {
    const auto* protocol = protocol_or_complain(options.protocol, err);
    if (protocol == nullptr) return 2;

    std::string bytes;
    std::string line;
    for (std::size_t line_number = 1; std::getline(in, line); ++line_number) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        auto message = message_from_json(line);
        if (!message) {
            err << "line " << line_number << ": " << message.error().message << '\n';
            return 1;
        }
        protocol->write(*message, bytes);
    }
    if (options.hex) {
        out << proto::to_hex(bytes) << '\n';
    } else {
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    return 0;
}

} // namespace hubspec::harness
