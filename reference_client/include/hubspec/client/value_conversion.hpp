#pragma once
// Typed results: from_value<T> turns a hub value into a C++ type, throwing
// std::invalid_argument on a mismatch, so invoke_as<T> reads like Microsoft's InvokeAsync<T>.

#include <hubspec/protocol/value.hpp>

#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace hubspec::client {

using protocol::value;

template <class T>
struct value_converter;

template <class T>
T from_value(const value& v) {
    return value_converter<T>::from(v);
}

namespace detail {
[[noreturn]] inline void conversion_failed(const value& v, const char* want) {
    throw std::invalid_argument(std::string("cannot convert a ") + std::string(protocol::kind_name(v.kind())) + " to " +
                                want);
}
} // namespace detail

template <>
struct value_converter<value> {
    static value from(const value& v) { return v; }
};

template <>
struct value_converter<bool> {
    static bool from(const value& v) {
        if (auto b = v.get_if<bool>()) return *b;
        detail::conversion_failed(v, "bool");
    }
};

template <std::integral I>
requires(!std::same_as<I, bool>) struct value_converter<I> {
    static I from(const value& v) {
        if (auto i = v.get_if<std::int64_t>()) {
            if (std::in_range<I>(*i)) return static_cast<I>(*i);
        } else if (auto u = v.get_if<std::uint64_t>()) {
            if (std::in_range<I>(*u)) return static_cast<I>(*u);
        } else if (auto d = v.get_if<double>()) {
            // JSON peers may write an integral double; accept it when exact.
            if (std::trunc(*d) == *d && *d >= static_cast<double>(std::numeric_limits<I>::min()) &&
                *d <= static_cast<double>(std::numeric_limits<I>::max()))
                return static_cast<I>(*d);
        }
        detail::conversion_failed(v, "an integer of that width");
    }
};

template <std::floating_point F>
struct value_converter<F> {
    static F from(const value& v) {
        if (auto d = v.get_if<double>()) return static_cast<F>(*d);
        if (auto i = v.get_if<std::int64_t>()) return static_cast<F>(*i);
        if (auto u = v.get_if<std::uint64_t>()) return static_cast<F>(*u);
        detail::conversion_failed(v, "a floating-point number");
    }
};

template <>
struct value_converter<std::string> {
    static std::string from(const value& v) {
        if (auto s = v.as_string()) return *s;
        detail::conversion_failed(v, "string");
    }
};

template <class T>
struct value_converter<std::vector<T>> {
    static std::vector<T> from(const value& v) {
        auto a = v.get_if<protocol::array>();
        if (!a) detail::conversion_failed(v, "array");
        std::vector<T> out;
        out.reserve(a->size());
        for (const auto& item : *a)
            out.push_back(from_value<T>(item));
        return out;
    }
};

template <>
struct value_converter<std::vector<std::uint8_t>> {
    static std::vector<std::uint8_t> from(const value& v) {
        if (auto b = v.get_if<protocol::binary>()) return b->bytes;
        detail::conversion_failed(v, "binary");
    }
};

} // namespace hubspec::client
