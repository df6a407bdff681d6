// Cookies a negotiate reply sets go back on every later request of that connection (issue 12):
// a load balancer's affinity cookie, as Microsoft's clients keep it.
#include "fake_http_server.hpp"
#include "http/cookie_jar.hpp"

#include <hubspec/client.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <vector>

using namespace hubspec::client;
using namespace hubspec::client::test;

TEST_CASE("a cookie jar keeps name=value pairs, replaces by name and drops a Max-Age=0", "[cookies]") {
    detail::cookie_jar jar;
    CHECK(jar.header().empty());
    jar.take({{"Set-Cookie", "affinity=node-2; Path=/; HttpOnly; Secure"},
              {"Content-Type", "application/json"},
              {"set-cookie", "session = abc ; Max-Age=600"},
              {"Set-Cookie", "garbage-without-equals"}});
    CHECK(jar.header() == "affinity=node-2; session=abc");
    jar.take({{"Set-Cookie", "affinity=node-3"}, {"Set-Cookie", "session=; Max-Age=0"}});
    CHECK(jar.header() == "affinity=node-3");
    // ASP.NET Core deletes with a past Expires; a Max-Age that is not a number is ignored; the last one wins.
    jar.take({{"Set-Cookie", "a=1; Max-Age=soon"}, {"Set-Cookie", "b=2; Max-Age=0; Max-Age=60"}});
    CHECK(jar.header() == "affinity=node-3; a=1; b=2");
    jar.take({{"Set-Cookie", "affinity=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/"},
              {"Set-Cookie", "a=1; expires=Fri, 01 Jan 2100 00:00:00 GMT"}});
    CHECK(jar.header() == "a=1; b=2");
}

TEST_CASE("negotiate's cookies go with each transport's requests", "[cookies]") {
    std::mutex mutex;
    std::vector<std::string> heads;
    const std::string transport =
        GENERATE(std::string("WebSockets"), std::string("ServerSentEvents"), std::string("LongPolling"));
    fake_http_server server([&](const std::string& head) {
        {
            std::lock_guard lock(mutex);
            heads.push_back(head);
        }
        if (head.rfind("POST ", 0) == 0 && head.find("/negotiate") != std::string::npos) {
            const std::string body = R"({"negotiateVersion":1,"connectionId":"c","connectionToken":"t",)"
                                     R"("availableTransports":[{"transport":")" +
                                     transport + R"(","transferFormats":["Text"]}]})";
            return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nSet-Cookie: affinity=node-2; Path=/; "
                   "HttpOnly\r\nSet-Cookie: lb=7\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n" + body;
        }
        return http_reply("404 Not Found", "text/plain", "no such connection"); // the start ends here
    });
    auto connection = hub_connection_builder()
                          .with_url(server.url("/hub"))
                          .with_header("Cookie", "mine=1")
                          .with_handshake_timeout(std::chrono::milliseconds(2000))
                          .build();
    auto started = connection.start();
    REQUIRE(started.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
    CHECK_THROWS(started.get());

    std::lock_guard lock(mutex);
    REQUIRE(heads.size() >= 2);
    CHECK(heads.front().find("Cookie: mine=1\r\n") != std::string::npos); // negotiate: the user's only
    CAPTURE(transport, heads[1]);
    CHECK(heads[1].find("Cookie: mine=1; affinity=node-2; lb=7\r\n") != std::string::npos);
}

TEST_CASE("negotiate's cookies do not follow a redirect to another origin", "[cookies]") {
    std::mutex mutex;
    std::vector<std::string> elsewhere;
    fake_http_server other([&](const std::string& head) {
        std::lock_guard lock(mutex);
        elsewhere.push_back(head);
        return http_reply("404 Not Found", "text/plain", "not here");
    });
    fake_http_server first([&](const std::string&) {
        const std::string body = R"({"url":")" + other.url("/hub") + R"("})";
        return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nSet-Cookie: affinity=node-2\r\n"
               "Content-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body;
    });
    auto connection = hub_connection_builder().with_url(first.url("/hub")).build();
    auto started = connection.start();
    REQUIRE(started.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
    CHECK_THROWS(started.get());
    std::lock_guard lock(mutex);
    REQUIRE(elsewhere.size() == 1);
    CHECK(elsewhere.front().find("Cookie:") == std::string::npos);
}
