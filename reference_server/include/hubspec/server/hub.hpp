#pragma once
// A hub: named methods with typed parameters, plus OnConnected/OnDisconnected.
//
//   hub h;
//   h.method("Add", [](hub_call&, std::int32_t a, std::int32_t b) { return a + b; });
//   h.method("Stream", [](hub_call& call, stream_writer out, int count) { ... });  // streaming
//   h.method("Sum", [](hub_call& call, upload_stream in) { ... });                 // upload
//
// The first parameter is always hub_call&. A second parameter of type
// stream_writer makes the method a streaming one (StreamInvocation only,
// MSG-098/099). upload_stream parameters are bound from `streamIds` in order and
// do not count as wire arguments (MSG-090). Other parameters are bound from the
// arguments with value_binder (binding.hpp); a count or type mismatch is answered
// with MSG-091/092's texts. A void method answers `"result":null` (MSG-042).

#include "hubspec/server/binding.hpp"
#include "hubspec/server/hub_context.hpp"

#include <array>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace hubspec::server {

/// What a bound call needs besides the caller.
struct method_arguments {
    value_list& arguments;
    std::vector<upload_stream>& uploads;
    stream_writer* writer = nullptr; // streaming methods only
};

enum class bind_failure { none, argument_count, argument_type, stream_count };

struct bind_outcome {
    bind_failure failure = bind_failure::none;
    std::size_t expected = 0; // what the method expects, for count failures
    value result;             // the return value, null for void and streaming methods
};

struct hub_method {
    std::string name;
    bool streaming = false;
    std::size_t wire_arguments = 0;
    std::size_t upload_streams = 0;
    /// Binds and calls; exceptions from hub code propagate to the dispatcher.
    std::function<bind_outcome(hub_call&, method_arguments&)> invoke;
};

namespace detail {

template <class T>
struct callable_traits : callable_traits<decltype(&T::operator())> {};
template <class C, class R, class... A>
struct callable_traits<R (C::*)(A...) const> {
    using result = R;
    using arguments = std::tuple<A...>;
};
template <class C, class R, class... A>
struct callable_traits<R (C::*)(A...)> : callable_traits<R (C::*)(A...) const> {};
template <class R, class... A>
struct callable_traits<R (*)(A...)> {
    using result = R;
    using arguments = std::tuple<A...>;
};

template <class P>
inline constexpr bool is_upload_v = std::is_same_v<std::remove_cvref_t<P>, upload_stream>;

/// For each parameter, its index among the wire arguments or among the uploads.
template <class... P>
constexpr std::array<std::size_t, sizeof...(P)> parameter_slots() {
    std::array<std::size_t, sizeof...(P)> slots{};
    constexpr std::array<bool, sizeof...(P) + 1> uploads{is_upload_v<P>..., false};
    std::size_t wire = 0;
    std::size_t upload = 0;
    for (std::size_t i = 0; i < sizeof...(P); ++i)
        slots[i] = uploads[i] ? upload++ : wire++;
    return slots;
}

template <class P>
std::optional<std::remove_cvref_t<P>> bind_parameter(method_arguments& in, std::size_t slot) {
    if constexpr (is_upload_v<P>) {
        return in.uploads[slot];
    } else {
        return bind_value<std::remove_cvref_t<P>>(in.arguments[slot]);
    }
}

template <class Fn, class R, bool Streaming, class... P>
struct method_invoker {
    Fn fn;

    static constexpr std::size_t upload_count = (std::size_t{is_upload_v<P>} + ... + 0);
    static constexpr std::size_t wire_count = sizeof...(P) - upload_count;

    bind_outcome operator()(hub_call& call, method_arguments& in) {
        if (in.arguments.size() != wire_count) return {bind_failure::argument_count, wire_count, {}};
        if (in.uploads.size() != upload_count) return {bind_failure::stream_count, upload_count, {}};
        return call_bound(call, in, std::index_sequence_for<P...>{});
    }

    template <std::size_t... I>
    bind_outcome call_bound(hub_call& call, method_arguments& in, std::index_sequence<I...>) {
        [[maybe_unused]] constexpr auto slots = parameter_slots<P...>();
        std::tuple<std::optional<std::remove_cvref_t<P>>...> bound{bind_parameter<P>(in, slots[I])...};
        if (!(std::get<I>(bound).has_value() && ...)) return {bind_failure::argument_type, 0, {}};
        if constexpr (Streaming) {
            fn(call, *in.writer, std::move(*std::get<I>(bound))...);
            return {};
        } else if constexpr (std::is_void_v<R>) {
            fn(call, std::move(*std::get<I>(bound))...);
            return {};
        } else {
            return {bind_failure::none, 0, to_value(fn(call, std::move(*std::get<I>(bound))...))};
        }
    }
};

template <class Fn, class R, class Args>
struct method_factory;

template <class Fn, class R, class Call, class... P>
struct method_factory<Fn, R, std::tuple<Call, P...>> {
    static_assert(std::is_same_v<Call, hub_call&>, "a hub method's first parameter is hub_call&");

    static hub_method make(std::string name, Fn fn) {
        if constexpr (sizeof...(P) > 0 &&
                      std::is_same_v<std::remove_cvref_t<std::tuple_element_t<0, std::tuple<P..., void>>>,
                                     stream_writer>) {
            return make_streaming(std::move(name), std::move(fn), std::type_identity<std::tuple<P...>>{});
        } else {
            using invoker = method_invoker<Fn, R, false, P...>;
            return {std::move(name), false, invoker::wire_count, invoker::upload_count, invoker{std::move(fn)}};
        }
    }

    template <class Writer, class... Rest>
    static hub_method make_streaming(std::string name, Fn fn, std::type_identity<std::tuple<Writer, Rest...>>) {
        static_assert(std::is_void_v<R>, "a streaming method writes to its stream_writer and returns void");
        using invoker = method_invoker<Fn, R, true, Rest...>;
        return {std::move(name), true, invoker::wire_count, invoker::upload_count, invoker{std::move(fn)}};
    }
};

} // namespace detail

class hub {
public:
    template <class F>
    hub& method(std::string name, F fn) {
        using traits = detail::callable_traits<std::decay_t<F>>;
        using factory = detail::method_factory<std::decay_t<F>, typename traits::result, typename traits::arguments>;
        return add(factory::make(std::move(name), std::move(fn)));
    }

    hub& add(hub_method m);
    /// The name a cluster keys this hub's backplane channels by: in a mixed cluster, the
    /// ASP.NET Core hub class's Type.FullName (RB-002). Default "Hub".
    hub& type_name(std::string name) {
        type_name_ = std::move(name);
        return *this;
    }
    const std::string& type_name() const noexcept { return type_name_; }
    hub& on_connected(std::function<void(hub_call&)> callback);
    hub& on_disconnected(std::function<void(hub_call&)> callback);

    /// The method named `name`, compared case-insensitively (MSG-019), or nullptr.
    const hub_method* find(std::string_view name) const noexcept;

    void connected(hub_call& call) const {
        if (on_connected_) on_connected_(call);
    }
    void disconnected(hub_call& call) const {
        if (on_disconnected_) on_disconnected_(call);
    }

private:
    std::vector<hub_method> methods_;
    std::string type_name_ = "Hub";
    std::function<void(hub_call&)> on_connected_;
    std::function<void(hub_call&)> on_disconnected_;
};

} // namespace hubspec::server
