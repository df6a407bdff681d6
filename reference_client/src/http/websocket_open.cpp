#include "websocket_open.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <string>
#include <utility>

namespace hubspec::client::detail {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {
websocket_step step_of(http_step step) {
    switch (step) {
    case http_step::resolve: return websocket_step::resolve;
    case http_step::tls: return websocket_step::tls;
    default: return websocket_step::connect;
    }
}
} // namespace

void async_open_websocket(websocket_stream& ws, boost::asio::ip::tcp::resolver& resolver, const protocol::http_url& url,
                          const tls_options& tls, const header_list& headers, std::string_view user_agent,
                          std::chrono::milliseconds timeout, websocket::response_type& response,
                          websocket_opened opened) {
    async_resolve_connect(
        resolver, ws.next_layer(), url, tls, timeout,
        [&ws, &response, url, headers, user_agent = std::string(user_agent), timeout,
         opened = std::move(opened)](std::optional<http_failure> failure) mutable {
            if (failure)
                return opened(step_of(failure->step), failure->timed_out ? beast::error::timeout : beast::error_code{},
                              failure->message);
            // The stream's own timeouts bound the upgrade and the closing handshake.
            beast::get_lowest_layer(ws).expires_never();
            auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::client);
            timeouts.handshake_timeout = timeout;
            timeouts.keep_alive_pings = false;
            ws.set_option(timeouts);
            ws.set_option(websocket::stream_base::decorator([headers, user_agent](websocket::request_type& request) {
                request.set(beast::http::field::user_agent, user_agent);
                for (const auto& [name, value] : headers)
                    request.set(name, value);
            }));
            ws.read_message_max(0);
            ws.async_handshake(
                response, url.host_header(), url.target,
                [opened = std::move(opened)](beast::error_code ec2) { opened(websocket_step::upgrade, ec2, {}); });
        });
}

} // namespace hubspec::client::detail
