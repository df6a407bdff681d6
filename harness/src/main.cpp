// The `hubspec` command line (design §5). Subcommands so far: decode, encode.

#include "hubspec/harness/codec_commands.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
    using namespace hubspec::harness;

    CLI::App app{"hubspec: conformance testing for the SignalR protocol"};
    app.set_version_flag("--version", std::string("hubspec ") + HUBSPEC_VERSION);
    app.require_subcommand(1);

    codec_options decode_options;
    std::size_t max_message_size = 0;
    std::string handshake;
    auto* decode =
        app.add_subcommand("decode", "Read framed hub messages from stdin, print one JSON object per message");
    decode->add_option("--protocol", decode_options.protocol, "json or messagepack")
        ->check(CLI::IsMember({"json", "messagepack"}))
        ->capture_default_str();
    decode->add_flag("--hex", decode_options.hex, "stdin is hex text (e.g. \"7B 7D 1E\") rather than raw bytes");
    decode->add_option("--handshake", handshake, "a handshake record comes first: request or response")
        ->check(CLI::IsMember({"request", "response"}));
    decode->add_option("--max-message-size", max_message_size,
                       "reject records larger than this many bytes, as a server would (FRAME-009)");

    codec_options encode_options;
    auto* encode =
        app.add_subcommand("encode", "Read JSON lines (the decode format) from stdin, write framed hub messages");
    encode->add_option("--protocol", encode_options.protocol, "json or messagepack")
        ->check(CLI::IsMember({"json", "messagepack"}))
        ->capture_default_str();
    encode->add_flag("--hex", encode_options.hex, "write hex text instead of raw bytes");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }

    std::ios::sync_with_stdio(false);
    if (*decode) {
        if (handshake == "request") decode_options.handshake = handshake_role::request;
        if (handshake == "response") decode_options.handshake = handshake_role::response;
        if (max_message_size > 0) decode_options.max_message_size = max_message_size;
        return run_decode(decode_options, std::cin, std::cout, std::cerr);
    }
    return run_encode(encode_options, std::cin, std::cout, std::cerr);
}
