#pragma once
// Base64 (RFC 4648 §4) and base64url (§5), used for binary in JSON (MSG-093)
// and for connection ids (NEG-012).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hubspec::protocol {

enum class base64_alphabet { standard, url };
enum class base64_padding { padded, unpadded };

void append_base64(std::string& out, const std::uint8_t* data, std::size_t size,
                   base64_alphabet alphabet = base64_alphabet::standard,
                   base64_padding padding = base64_padding::padded);

std::string to_base64(const std::vector<std::uint8_t>& bytes);

/// Decodes either alphabet, padded or not; nullopt on any other character.
std::optional<std::vector<std::uint8_t>> from_base64(std::string_view text);

} // namespace hubspec::protocol
