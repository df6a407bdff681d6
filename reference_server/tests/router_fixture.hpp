#pragma once
// A router serving the contract endpoints, with timers run by hand.
#include "http/endpoint_router.hpp"
#include "log.hpp"
#include "manual_scheduler.hpp"

#include "hubspec/protocol/negotiate.hpp"
#include "hubspec/server/conformance_hub.hpp"

#include <catch2/catch.hpp>

namespace hubspec::server::testing {

using namespace hubspec::server;
namespace p = hubspec::protocol;

struct router_fixture {
    explicit router_fixture(server_options options = {}) : router(options, timers) {
        detail::set_log_enabled(false);
        endpoint_options conformance;
        conformance.allow_stateful_reconnects = true;
        router.add_hub("/conformance", make_conformance_hub(), conformance);
        endpoint_options no_websockets;
        no_websockets.transports = {p::transport_type::server_sent_events, p::transport_type::long_polling};
        router.add_hub_alias("/conformance-nows", "/conformance", no_websockets);
        endpoint_options authorized;
        authorized.require_authorization = true;
        router.add_hub_alias("/conformance-auth", "/conformance", authorized);
        endpoint_options websockets_only;
        websockets_only.transports = {p::transport_type::websockets};
        router.add_hub_alias("/conformance-wsonly", "/conformance", websockets_only);
        router.enable_tokens("/redirect", "/conformance-auth");
    }

    detail::http_reply reply(std::string method, std::string target, bool upgrade = false,
                             std::vector<std::pair<std::string, std::string>> headers = {}, std::string body = {}) {
        auto routed =
            router.route({std::move(method), std::move(target), std::move(headers), upgrade, std::move(body)});
        REQUIRE(std::holds_alternative<detail::http_reply>(routed));
        return std::get<detail::http_reply>(routed);
    }

    p::negotiate_response negotiate(const std::string& query) {
        auto r = reply("POST", "/conformance/negotiate" + query);
        REQUIRE(r.status == 200);
        REQUIRE(r.content_type == "application/json");
        auto parsed = p::parse_negotiate_response(r.body);
        REQUIRE(parsed.has_value());
        return *parsed;
    }

    testing::manual_scheduler timers;
    detail::endpoint_router router;
};

} // namespace hubspec::server::testing
