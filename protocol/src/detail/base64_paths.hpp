#pragma once
// The base64 encoder's code paths, for tests: append_base64() takes the fastest
// one the CPU runs; the tests run each one this CPU has. Not API.

#include "hubspec/protocol/base64.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace hubspec::protocol::detail {

/// Each vector path hands its tail to the narrower ones, down to scalar.
enum class base64_path { scalar, ssse3, avx2, avx512vbmi };

/// The paths this CPU runs, narrowest first; scalar always.
std::vector<base64_path> available_base64_paths();

/// append_base64() through `path` (which must be available).
void append_base64_using(base64_path path, std::string& out, const std::uint8_t* data, std::size_t size,
                         base64_alphabet alphabet, base64_padding padding);

} // namespace hubspec::protocol::detail
