#pragma once
// Typed hub-method parameters bound from the value model, and results turned
// back into values (MSG-090, MSG-092). Binding is strict, like System.Text.Json:
// a string never becomes a number, a fraction never becomes an integer.
// Specialise value_binder<T> to bind a type of your own.

#include "hubspec/protocol/base64.hpp"
#include "hubspec/protocol/value.hpp"

#include <concepts>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace hubspec::server {

using protocol::binary;
using protocol::value;

template <class T>
struct value_binder;

/// The argument as T, or nullopt when its type does not fit (MSG-092).
template <class T>
std::optional<T> bind_value(const value& v) {
    return value_binder<T>::bind(v);
}

/// A hub method's result as a value.
template <class T>
value to_value(T&& t) {
    return value_binder<std::remove_cvref_t<T>>::to(std::forward<T>(t));
}

template <>
struct value_binder<value> {
    static std::optional<value> bind(const value& v) { return v; }
    static value to(value v) { return v; }
};

template <>
struct value_binder<bool> {
    static std::optional<bool> bind(const value& v) {
        if (const bool* b = v.get_if<bool>()) return *b;
        return std::nullopt;
    }
    static value to(bool b) { return value(b); }
};

template <std::integral I>
requires(!std::same_as<I, bool>) struct value_binder<I> {
    static std::optional<I> bind(const value& v) {
        if constexpr (std::is_unsigned_v<I>) {
            if (const std::uint64_t* u = v.get_if<std::uint64_t>()) {
                if (*u <= std::numeric_limits<I>::max()) return static_cast<I>(*u);
                return std::nullopt;
            }
            const auto i = v.as_int64();
            if (!i || *i < 0 || static_cast<std::uint64_t>(*i) > std::numeric_limits<I>::max()) return std::nullopt;
            return static_cast<I>(*i);
        } else {
            const auto i = v.as_int64();
            if (!i || *i < std::numeric_limits<I>::min() || *i > std::numeric_limits<I>::max()) return std::nullopt;
            return static_cast<I>(*i);
        }
    }
    static value to(I i) { return value(i); }
};

template <std::floating_point F>
struct value_binder<F> {
    static std::optional<F> bind(const value& v) {
        if (const double* d = v.get_if<double>()) return static_cast<F>(*d);
        if (const auto i = v.as_int64()) return static_cast<F>(*i);
        if (const std::uint64_t* u = v.get_if<std::uint64_t>()) return static_cast<F>(*u);
        return std::nullopt;
    }
    static value to(F f) { return value(static_cast<double>(f)); }
};

template <>
struct value_binder<std::string> {
    static std::optional<std::string> bind(const value& v) {
        if (const std::string* s = v.as_string()) return *s;
        return std::nullopt;
    }
    static value to(std::string s) { return value(std::move(s)); }
};

template <>
struct value_binder<binary> {
    // JSON carries binary as a base64 string (MSG-093); MessagePack as bin.
    static std::optional<binary> bind(const value& v) {
        if (const binary* b = v.get_if<binary>()) return *b;
        if (const std::string* s = v.as_string()) {
            if (auto bytes = protocol::from_base64(*s)) return binary{std::move(*bytes)};
        }
        return std::nullopt;
    }
    static value to(binary b) { return value(std::move(b)); }
};

template <class T>
struct value_binder<std::optional<T>> {
    // Bound successfully either way: null is a present, empty optional.
    static std::optional<std::optional<T>> bind(const value& v) {
        if (v.is_null()) return std::optional<T>{};
        auto inner = value_binder<T>::bind(v);
        if (!inner) return std::nullopt;
        return std::optional<T>{std::move(*inner)};
    }
    static value to(std::optional<T> o) { return o ? value_binder<T>::to(std::move(*o)) : value(); }
};

template <class T>
struct value_binder<std::vector<T>> {
    static std::optional<std::vector<T>> bind(const value& v) {
        const protocol::array* a = v.get_if<protocol::array>();
        if (!a) return std::nullopt;
        std::vector<T> out;
        out.reserve(a->size());
        for (const value& item : *a) {
            auto bound = value_binder<T>::bind(item);
            if (!bound) return std::nullopt;
            out.push_back(std::move(*bound));
        }
        return out;
    }
    static value to(std::vector<T> items) {
        protocol::array out;
        out.reserve(items.size());
        for (auto& item : items)
            out.push_back(value_binder<T>::to(std::move(item)));
        return value(std::move(out));
    }
};

template <>
struct value_binder<const char*> {
    static value to(const char* s) { return value(s); }
};

} // namespace hubspec::server
