#pragma once
// Expected values with matchers (scenarios/README.md "Matching values"):
// {$any}, {$contains}, {$type}, {$one_of}, {$not}; maps match on the keys given.

#include <hubspec/protocol/value.hpp>

#include <optional>
#include <string>

namespace hubspec::harness::detail {

/// nullopt when `actual` matches `expected`; else where and why not ("[1].name: expected 3, saw 4").
std::optional<std::string> mismatch(const protocol::value& expected, const protocol::value& actual);

/// A value as one line of JSON in hubspec's view ($binary, $map, ...), for messages.
std::string show(const protocol::value& v);

} // namespace hubspec::harness::detail
