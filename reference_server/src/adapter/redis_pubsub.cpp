// Redis pub/sub for the backplane (redis_pubsub.hpp): Asio sockets and timers,
// hiredis's RESP reader and command formatter.
#include "redis_pubsub.hpp"

#include "log.hpp"

#include <hiredis/hiredis.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <deque>
#include <iterator>
#include <unordered_map>
#include <utility>
#include <vector>

namespace hubspec::server::detail {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

namespace {

struct reply_deleter {
    void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
using reply_ptr = std::unique_ptr<redisReply, reply_deleter>;

struct reader_deleter {
    void operator()(redisReader* r) const noexcept { redisReaderFree(r); }
};

std::string_view text_of(const redisReply* r) noexcept {
    return r != nullptr &&
                   (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS || r->type == REDIS_REPLY_ERROR)
               ? std::string_view(r->str, r->len)
               : std::string_view();
}

constexpr std::chrono::milliseconds first_retry{100};
constexpr std::chrono::milliseconds longest_retry{2000};
constexpr std::chrono::seconds health_interval{3}; // idle this long: PING
constexpr std::chrono::seconds silence_limit{10};  // nothing heard this long: the connection is dead

/// One RESP connection that keeps itself connected: replies come back in order
/// through `on_reply`; `on_up` and `on_down` tell when it is usable.
class redis_link : public std::enable_shared_from_this<redis_link> {
public:
    struct events {
        std::function<void()> on_up;
        std::function<void(const std::string& why)> on_down;
        std::function<void(reply_ptr)> on_reply;
    };

    redis_link(const net::any_io_executor& io, redis_address address, events e)
        : resolver_(io), socket_(io), retry_(io), health_(io), address_(std::move(address)), events_(std::move(e)) {}

    void start() { connect(); }
    bool up() const noexcept { return up_; }

    /// False when the command was not queued (not connected, or it could not be formatted).
    bool send(const std::vector<std::string_view>& argv) {
        if (!up_) return false;
        return queue(argv);
    }

    void close() {
        closed_ = true;
        retry_.cancel();
        health_.cancel();
        error_code ignored;
        resolver_.cancel();
        socket_.close(ignored);
        up_ = connected_ = false;
    }

private:
    bool queue(const std::vector<std::string_view>& argv) {
        std::vector<const char*> parts;
        std::vector<std::size_t> sizes;
        for (auto a : argv) {
            parts.push_back(a.data());
            sizes.push_back(a.size());
        }
        char* command = nullptr;
        const int size = redisFormatCommandArgv(&command, static_cast<int>(parts.size()), parts.data(), sizes.data());
        if (size < 0) return false;
        pending_.append(command, static_cast<std::size_t>(size));
        redisFreeCommand(command);
        write();
        return true;
    }

    void connect() {
        if (closed_) return;
        resolver_.async_resolve(address_.host, std::to_string(address_.port),
                                [self = shared_from_this()](error_code ec, tcp::resolver::results_type found) {
                                    if (ec) return self->fail("cannot resolve the host: " + ec.message());
                                    net::async_connect(self->socket_, found,
                                                       [self](error_code connect_ec, const tcp::endpoint&) {
                                                           if (connect_ec) return self->fail(connect_ec.message());
                                                           self->on_connected();
                                                       });
                                });
    }

    void on_connected() {
        error_code ignored;
        socket_.set_option(tcp::no_delay(true), ignored);
        reader_.reset(redisReaderCreate());
        connected_ = true;
        read();
        if (address_.password.empty()) return become_up();
        // AUTH first: its reply decides whether the connection is usable.
        authenticating_ = true;
        if (address_.user.empty())
            queue({"AUTH", address_.password});
        else
            queue({"AUTH", address_.user, address_.password});
    }

    void become_up() {
        up_ = true;
        backoff_ = first_retry;
        last_heard_ = std::chrono::steady_clock::now();
        check_health();
        if (events_.on_up) events_.on_up();
    }

    /// A connection that stays silent is dead even if TCP says otherwise (a paused Redis, a
    /// half-open link): PING when idle, give up on it when nothing came back for a while.
    void check_health() {
        health_.expires_after(health_interval);
        health_.async_wait([self = shared_from_this()](error_code ec) {
            if (ec || !self->up_) return;
            const auto silent = std::chrono::steady_clock::now() - self->last_heard_;
            if (silent > silence_limit)
                return self->fail("no reply from Redis for " +
                                  std::to_string(std::chrono::duration_cast<std::chrono::seconds>(silent).count()) +
                                  " s (paused, or the connection is half-open)");
            if (silent >= health_interval) self->send({"PING"}); // its reply is PONG: the owners skip it
            self->check_health();
        });
    }

    void read() {
        socket_.async_read_some(net::buffer(in_), [self = shared_from_this()](error_code ec, std::size_t n) {
            if (ec) return self->fail(ec == net::error::eof ? "Redis closed the connection" : ec.message());
            self->last_heard_ = std::chrono::steady_clock::now();
            if (redisReaderFeed(self->reader_.get(), self->in_.data(), n) != REDIS_OK)
                return self->fail("unreadable reply: " + std::string(self->reader_->errstr));
            for (;;) {
                void* raw = nullptr;
                if (redisReaderGetReply(self->reader_.get(), &raw) != REDIS_OK)
                    return self->fail("unreadable reply: " + std::string(self->reader_->errstr));
                if (raw == nullptr) break;
                reply_ptr reply(static_cast<redisReply*>(raw));
                if (self->authenticating_) {
                    self->authenticating_ = false;
                    if (reply->type == REDIS_REPLY_ERROR)
                        return self->fail("Redis refused the credentials: " + std::string(text_of(reply.get())));
                    self->become_up();
                    continue;
                }
                if (self->events_.on_reply) self->events_.on_reply(std::move(reply));
                if (!self->connected_) return; // a handler closed it
            }
            self->read();
        });
    }

    void write() {
        if (writing_ || pending_.empty() || !connected_) return;
        writing_ = true;
        sending_ = std::exchange(pending_, {}); // what queued meanwhile goes out in one write
        net::async_write(socket_, net::buffer(sending_), [self = shared_from_this()](error_code ec, std::size_t) {
            self->writing_ = false;
            if (ec) return self->fail(ec.message());
            self->write();
        });
    }

    void fail(const std::string& why) {
        if (closed_) return;
        const bool was_up = up_;
        up_ = connected_ = authenticating_ = false;
        health_.cancel();
        error_code ignored;
        socket_.close(ignored);
        pending_.clear();
        if (events_.on_down) events_.on_down(was_up ? "connection lost: " + why : why);
        retry_.expires_after(backoff_);
        backoff_ = std::min(backoff_ * 2, longest_retry);
        retry_.async_wait([self = shared_from_this()](error_code ec) {
            if (!ec) self->connect();
        });
    }

    tcp::resolver resolver_;
    tcp::socket socket_;
    net::steady_timer retry_;
    net::steady_timer health_;
    std::chrono::steady_clock::time_point last_heard_;
    redis_address address_;
    events events_;
    std::unique_ptr<redisReader, reader_deleter> reader_;
    std::array<char, 16384> in_{};
    std::string pending_;
    std::string sending_;
    bool writing_ = false;
    bool connected_ = false;      // the socket is open
    bool authenticating_ = false; // AUTH sent, its reply awaited
    bool up_ = false;             // usable: connected and, with a password, authenticated
    bool closed_ = false;
    std::chrono::milliseconds backoff_ = first_retry;
};

} // namespace

struct redis_pubsub::state : std::enable_shared_from_this<state> {
    struct subscription {
        message_handler handler;
        std::uint64_t order = 0; // subscribed again in the order first made (RB-014)
        bool confirmed = false;
        std::vector<std::function<void()>> waiting;
    };

    std::string where;
    std::shared_ptr<redis_link> subscriber;
    std::shared_ptr<redis_link> publisher;
    std::unordered_map<std::string, subscription> subscriptions;
    /// SUBSCRIBEs sent and not yet confirmed, by channel, kept across an unsubscribe: a channel
    /// subscribed, unsubscribed and subscribed again is confirmed by its last reply only.
    std::unordered_map<std::string, int> unconfirmed;
    std::uint64_t next_order = 0;
    std::deque<std::function<void(publish_outcome)>> in_flight; // one per PUBLISH sent, in order
    bool subscriber_reported_down = false;
    bool publisher_reported_down = false;

    void send_subscribe(const std::string& channel) {
        if (subscriber->send({"SUBSCRIBE", channel})) ++unconfirmed[channel];
    }

    void subscriber_up() {
        unconfirmed.clear(); // what was sent on the lost connection is answered by no one
        std::vector<std::pair<std::uint64_t, const std::string*>> held;
        for (const auto& [channel, s] : subscriptions)
            held.emplace_back(s.order, &channel);
        std::sort(held.begin(), held.end());
        for (const auto& [order, channel] : held)
            send_subscribe(*channel);
        if (subscriber_reported_down) {
            log_event("RB-073", "backplane",
                      "Redis at " + where + " is back: subscribed again to " + std::to_string(held.size()) +
                          " channels; what was published meanwhile is lost (RB-072)");
            subscriber_reported_down = false;
        }
    }

    void subscriber_down(const std::string& why) {
        std::vector<std::function<void()>> waiting; // run after the loop: they may (un)subscribe
        for (auto& [channel, s] : subscriptions) {
            s.confirmed = false; // nothing to wait for while down (pubsub.hpp)
            std::move(s.waiting.begin(), s.waiting.end(), std::back_inserter(waiting));
            s.waiting.clear();
        }
        run(waiting);
        if (!subscriber_reported_down) {
            log_event("RB-074", "backplane",
                      "Redis at " + where + " (subscriber) unreachable: " + why +
                          "; retrying. Messages from other nodes are lost until it is back (RB-072)");
            subscriber_reported_down = true;
        }
    }

    static void run(std::vector<std::function<void()>>& waiting) {
        for (auto& confirmed : waiting)
            guarded("backplane subscription confirmed", confirmed);
    }

    void subscriber_reply(reply_ptr reply) {
        if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 3) return;
        const std::string_view kind = text_of(reply->element[0]);
        const std::string channel(text_of(reply->element[1]));
        if (kind == "subscribe")
            if (auto n = unconfirmed.find(channel); n != unconfirmed.end() && --n->second <= 0) unconfirmed.erase(n);
        auto it = subscriptions.find(channel);
        if (it == subscriptions.end()) return; // unsubscribed meanwhile, or not ours (RB-008)
        if (kind == "subscribe") {
            if (unconfirmed.contains(channel)) return; // a later SUBSCRIBE of it is still unanswered
            it->second.confirmed = true;
            auto waiting = std::exchange(it->second.waiting, {});
            run(waiting);
        } else if (kind == "message") {
            auto handler = it->second.handler; // the handler may unsubscribe its own channel
            const std::string_view payload = text_of(reply->element[2]);
            guarded("backplane message", [&] { handler(payload); });
        }
    }

    void publisher_up() {
        if (publisher_reported_down) {
            log_event("RB-074", "backplane", "Redis at " + where + " (publisher) is back");
            publisher_reported_down = false;
        }
    }

    void publisher_down(const std::string& why) {
        auto lost = std::exchange(in_flight, {});
        for (auto& done : lost) // sent or not, nobody knows (RB-075: never delivered locally)
            if (done) guarded("backplane publish", [&] { done({publish_outcome::state::maybe_sent, 0}); });
        if (!publisher_reported_down) {
            log_event("RB-074", "backplane",
                      "Redis at " + where + " (publisher) unreachable: " + why +
                          "; retrying. Sends reach this node's clients only until it is back (RB-075)");
            publisher_reported_down = true;
        }
    }

    void publisher_reply(reply_ptr reply) {
        if (reply->type == REDIS_REPLY_STATUS && text_of(reply.get()) == "PONG") return; // the link's health PING
        if (in_flight.empty()) return;
        auto done = std::move(in_flight.front());
        in_flight.pop_front();
        publish_outcome outcome;
        if (reply->type == REDIS_REPLY_INTEGER) {
            outcome.receivers = reply->integer;
        } else {
            log_event("RB-074", "backplane", "PUBLISH refused by Redis: " + std::string(text_of(reply.get())));
            outcome.how = publish_outcome::state::not_sent;
        }
        if (done) guarded("backplane publish", [&] { done(outcome); });
    }
};

redis_pubsub::redis_pubsub(const net::any_io_executor& io, redis_address address) : state_(std::make_shared<state>()) {
    state_->where = address.host + ":" + std::to_string(address.port);
    std::weak_ptr<state> weak = state_;
    auto on = [weak](auto member) {
        return [weak, member](auto&&... args) {
            if (auto s = weak.lock()) ((*s).*member)(std::forward<decltype(args)>(args)...);
        };
    };
    state_->subscriber = std::make_shared<redis_link>(
        io, address,
        redis_link::events{on(&state::subscriber_up), on(&state::subscriber_down), on(&state::subscriber_reply)});
    state_->publisher = std::make_shared<redis_link>(
        io, address,
        redis_link::events{on(&state::publisher_up), on(&state::publisher_down), on(&state::publisher_reply)});
    state_->subscriber->start();
    state_->publisher->start();
}

redis_pubsub::~redis_pubsub() {
    close();
}

void redis_pubsub::close() {
    state_->subscriber->close();
    state_->publisher->close();
    state_->subscriptions.clear(); // the handlers point into hubs that are going away
    state_->in_flight.clear();
}

void redis_pubsub::publish(std::string channel, std::string payload, std::function<void(publish_outcome)> done) {
    if (!state_->publisher->up()) {
        if (done) done({publish_outcome::state::not_sent, 0});
        return;
    }
    if (!state_->publisher->send({"PUBLISH", channel, payload})) {
        if (done) done({publish_outcome::state::not_sent, 0});
        return;
    }
    state_->in_flight.push_back(std::move(done));
}

void redis_pubsub::subscribe(const std::string& channel, message_handler on_message, std::function<void()> confirmed) {
    auto [it, fresh] = state_->subscriptions.try_emplace(channel);
    auto& s = it->second;
    s.handler = std::move(on_message);
    if (fresh) s.order = state_->next_order++;
    if (fresh && state_->subscriber->up()) state_->send_subscribe(channel); // RB-017: one subscription per channel
    if (!confirmed) return;
    if (!state_->subscriber->up() || s.confirmed) {
        guarded("backplane subscription confirmed", confirmed); // nothing to wait for
        return;
    }
    s.waiting.push_back(std::move(confirmed));
}

void redis_pubsub::unsubscribe(const std::string& channel) {
    auto entry = state_->subscriptions.extract(channel);
    if (entry.empty()) return;
    state_->subscriber->send({"UNSUBSCRIBE", channel});
    state::run(entry.mapped().waiting); // last: they may subscribe again
}

} // namespace hubspec::server::detail
