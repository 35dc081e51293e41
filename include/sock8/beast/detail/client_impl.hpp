//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_BEAST_DETAIL_CLIENT_IMPL_HPP
#define SOCK8_BEAST_DETAIL_CLIENT_IMPL_HPP

// The machinery behind sock8::beast::client. A client has one connection
// at a time, so one strand runs everything: the core, the socket, the
// deadline timer and the reconnect timer. Each connection attempt gets a
// fresh `connection` object; handlers hold it and do nothing once it is
// no longer the current one, which is how stale completions are ignored.

#include <sock8/transport.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace sock8::beast {

/** Settings of a @ref client. */
struct client_options
{
    /// The server's host name or address.
    std::string host = "127.0.0.1";
    /// The server's port.
    std::uint16_t port = 4000;
    /// The WebSocket path; the core's url_query() is appended.
    std::string path = "/socket/websocket";
    /// Offered subprotocols, for instance
    /// `{"phoenix", "base64url.bearer.phx.<token>"}`.
    std::vector<std::string> subprotocols;
    /// The largest frame accepted from the server.
    std::size_t max_frame_bytes = 16 * 1024 * 1024;
    /// The first reconnect delay; it doubles after each failed attempt.
    std::chrono::milliseconds backoff_initial{10};
    /// The longest reconnect delay.
    std::chrono::milliseconds backoff_max{5'000};
    /// Each delay is drawn from [delay * (1 - jitter), delay].
    double jitter = 0.5;
    /// Time allowed to connect and finish the upgrade.
    std::chrono::milliseconds handshake_timeout{10'000};
    /// Time allowed for a close handshake before the socket is dropped.
    std::chrono::milliseconds close_timeout{5'000};
    /// Whether to reconnect after a close with 1000 (from either side).
    /// The phoenix client does not; sock8's default is to reconnect
    /// after any drop that @ref client::async_stop did not cause.
    bool reconnect_after_normal_close = true;
};

namespace detail {

namespace net = boost::asio;
namespace bws = boost::beast::websocket;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

template <class Core>
class client_impl : public std::enable_shared_from_this<client_impl<Core>>
{
public:
    client_impl(net::any_io_executor ex, Core& core, client_options options)
        : strand_(net::make_strand(ex))
        , core_(core)
        , options_(std::move(options))
        , resolver_(strand_)
        , timer_(strand_)
        , reconnect_timer_(strand_)
        , random_(std::random_device{}())
    {
    }

    auto strand() const { return strand_; }
    client_options const& options() const noexcept { return options_; }
    std::size_t attempts() const noexcept { return attempts_; }
    bool connected() const noexcept { return connected_; }

    void start()
    {
        net::post(strand_, [self = this->shared_from_this()] {
            if (self->started_ || self->stopping_)
                return;
            self->started_ = true;
            self->connect();
        });
    }

    template <class F>
    void post(F f)
    {
        auto self = this->shared_from_this();
        net::post(strand_, [self, f = std::move(f)]() mutable {
            // The core has no clock: without the time, a push f makes
            // after a quiet spell would time out counting from the last
            // event, which may be longer ago than push_timeout.
            self->core_.advance(clock::now());
            f(self->core_);
            self->after_core();
        });
    }

    void stop(std::function<void()> done)
    {
        net::post(strand_, [self = this->shared_from_this(),
                            done = std::move(done)]() mutable {
            self->on_stop(std::move(done));
        });
    }

private:
    struct connection
    {
        explicit connection(net::strand<net::any_io_executor> const& s)
            : ws(s)
            , close_timer(s)
        {
        }

        bws::stream<boost::beast::tcp_stream> ws;
        net::steady_timer close_timer;
        boost::beast::flat_buffer buffer;
        bws::response_type response;
        std::string host;
        std::string target;
        std::deque<shared_frame> queue;
        bws::close_reason close_reason;
        bool open = false;
        bool writing = false;
        bool close_pending = false;
        bool closing = false;
    };
    using connection_ptr = std::shared_ptr<connection>;

    void connect()
    {
        ++attempts_;
        auto c = std::make_shared<connection>(strand_);
        conn_ = c;
        resolver_.async_resolve(
            options_.host, std::to_string(options_.port),
            [self = this->shared_from_this(),
             c](error_code ec, tcp::resolver::results_type results) {
                self->on_resolve(c, ec, std::move(results));
            });
    }

    void on_resolve(connection_ptr const& c, error_code ec,
                    tcp::resolver::results_type results)
    {
        if (c != conn_)
            return;
        if (ec) {
            drop(c);
            return;
        }
        auto& tcp_layer = boost::beast::get_lowest_layer(c->ws);
        tcp_layer.expires_after(options_.handshake_timeout);
        tcp_layer.async_connect(
            results, [self = this->shared_from_this(),
                      c](error_code e, tcp::endpoint const&) {
                self->on_connect(c, e);
            });
    }

    void on_connect(connection_ptr const& c, error_code ec)
    {
        if (c != conn_)
            return;
        if (ec) {
            drop(c);
            return;
        }
        boost::beast::get_lowest_layer(c->ws).expires_never();
        bws::stream_base::timeout t{};
        t.handshake_timeout = options_.handshake_timeout;
        t.idle_timeout = bws::stream_base::none();
        t.keep_alive_pings = false;
        c->ws.set_option(t);
        c->ws.read_message_max(options_.max_frame_bytes);
        if (!options_.subprotocols.empty()) {
            std::string offered;
            for (auto const& p : options_.subprotocols) {
                if (!offered.empty())
                    offered += ", ";
                offered += p;
            }
            c->ws.set_option(bws::stream_base::decorator(
                [offered](bws::request_type& req) {
                    req.set(boost::beast::http::field::sec_websocket_protocol,
                            offered);
                }));
        }

        c->host = options_.host + ":" + std::to_string(options_.port);
        c->target = options_.path;
        std::string const query = core_.url_query();
        if (!query.empty())
            c->target += "?" + query;
        c->ws.async_handshake(
            c->response, c->host, c->target,
            [self = this->shared_from_this(), c](error_code e) {
                self->on_handshake(c, e);
            });
    }

    void on_handshake(connection_ptr const& c, error_code ec)
    {
        if (c != conn_)
            return;
        if (ec) {
            drop(c);
            return;
        }
        failures_ = 0;
        if (stopping_) {
            start_close(c, bws::close_reason(bws::close_code::normal,
                                             "client stopping"));
            return;
        }
        c->open = true;
        connected_ = true;
        core_.opened(clock::now());
        after_core();
        do_read(c);
    }

    void do_read(connection_ptr const& c)
    {
        if (c != conn_ || c->closing)
            return;
        c->ws.async_read(c->buffer, [self = this->shared_from_this(),
                                     c](error_code ec, std::size_t) {
            self->on_read(c, ec);
        });
    }

    void on_read(connection_ptr const& c, error_code ec)
    {
        if (c != conn_)
            return;
        if (ec) {
            drop(c);
            return;
        }
        if (!c->ws.got_text()) {
            c->buffer.consume(c->buffer.size());
            start_close(c, bws::close_reason(bws::close_code::unknown_data,
                                             "sock8 accepts text frames only"));
            return;
        }
        auto const data = c->buffer.cdata();
        core_.receive(std::string_view(static_cast<char const*>(data.data()),
                                       data.size()),
                      clock::now());
        c->buffer.consume(c->buffer.size());
        after_core();
        do_read(c);
    }

    void after_core()
    {
        for (;;) {
            core_.take_actions(actions_);
            if (actions_.empty())
                break;
            for (auto& a : actions_)
                perform(a);
        }
        actions_.clear();
        arm_timer();
    }

    // Frames queued while no connection is open are dropped: the core
    // learns of the drop through closed() and resends what it must (joins)
    // on the next opened().
    void perform(action& a)
    {
        auto const& c = conn_;
        if (!c || !c->open || c->close_pending || c->closing)
            return;
        if (a.what == action::kind::close) {
            c->close_pending = true;
            c->close_reason = bws::close_reason(
                static_cast<bws::close_code>(a.code), a.reason);
            normal_close_ = a.code == close_code::normal;
            maybe_write(c);
            return;
        }
        c->queue.push_back(std::move(a.frame));
        maybe_write(c);
    }

    void maybe_write(connection_ptr const& c)
    {
        if (c != conn_ || c->writing || c->closing)
            return;
        if (c->queue.empty()) {
            if (c->close_pending)
                start_close(c, c->close_reason);
            return;
        }
        c->writing = true;
        c->ws.text(true);
        c->ws.async_write(net::buffer(*c->queue.front()),
                          [self = this->shared_from_this(),
                           c](error_code ec, std::size_t) {
                              self->on_write(c, ec);
                          });
    }

    void on_write(connection_ptr const& c, error_code ec)
    {
        c->writing = false;
        if (c != conn_)
            return;
        c->queue.pop_front();
        if (ec) {
            drop(c);
            return;
        }
        maybe_write(c);
    }

    void start_close(connection_ptr const& c, bws::close_reason reason)
    {
        if (c != conn_ || c->closing)
            return;
        c->closing = true;
        c->close_timer.expires_after(options_.close_timeout);
        c->close_timer.async_wait(
            [self = this->shared_from_this(), c](error_code ec) {
                if (!ec)
                    self->drop(c);
            });
        c->ws.async_close(
            reason, [self = this->shared_from_this(), c](error_code) {
                self->drop(c);
            });
    }

    void drop(connection_ptr const& c)
    {
        if (c != conn_)
            return;
        conn_.reset();
        c->close_timer.cancel();
        error_code ignored;
        boost::beast::get_lowest_layer(c->ws).socket().close(ignored);

        bool const peer_normal =
            c->ws.reason().code == bws::close_code::normal;
        if (c->open) {
            connected_ = false;
            core_.closed(clock::now());
            after_core();
        }

        if (stopping_) {
            finish_stop();
            return;
        }
        bool const normal = normal_close_ || peer_normal;
        normal_close_ = false;
        if (normal && !options_.reconnect_after_normal_close)
            return;
        schedule_reconnect();
    }

    void schedule_reconnect()
    {
        using std::chrono::milliseconds;
        auto delay = options_.backoff_initial;
        for (unsigned i = 0; i < failures_ && delay < options_.backoff_max;
             ++i)
            delay *= 2;
        delay = std::min(delay, options_.backoff_max);
        ++failures_;

        // Jitter spreads the reconnects of many clients dropped at once.
        double const j = std::clamp(options_.jitter, 0.0, 1.0);
        std::uniform_real_distribution<double> pick(1.0 - j, 1.0);
        auto const wait = milliseconds(static_cast<milliseconds::rep>(
            static_cast<double>(delay.count()) * pick(random_)));

        reconnect_timer_.expires_after(wait);
        reconnect_timer_.async_wait(
            [self = this->shared_from_this()](error_code ec) {
                if (ec || self->stopping_ || self->conn_)
                    return;
                self->connect();
            });
    }

    void arm_timer()
    {
        if (stopped_)
            return;
        auto const deadline = core_.next_deadline();
        if (deadline == armed_)
            return;
        armed_ = deadline;
        ++timer_generation_;
        if (!deadline) {
            timer_.cancel();
            return;
        }
        timer_.expires_at(*deadline);
        timer_.async_wait([self = this->shared_from_this(),
                           g = timer_generation_](error_code ec) {
            if (ec || g != self->timer_generation_ || self->stopped_)
                return;
            self->armed_.reset();
            self->core_.advance(clock::now());
            self->after_core();
        });
    }

    void on_stop(std::function<void()> done)
    {
        if (done)
            stop_handlers_.push_back(std::move(done));
        if (stopped_) {
            finish_stop();
            return;
        }
        if (stopping_)
            return;
        stopping_ = true;
        reconnect_timer_.cancel();
        resolver_.cancel();

        auto const c = conn_;
        if (!c) {
            finish_stop();
            return;
        }
        if (!c->open) {
            drop(c);
            return;
        }

        // Like phoenix's disconnect(): 1000 after what is queued.
        if (!c->close_pending) {
            c->close_pending = true;
            c->close_reason =
                bws::close_reason(bws::close_code::normal, "client stopping");
        }
        maybe_write(c);
    }

    void finish_stop()
    {
        stopped_ = true;
        timer_.cancel();
        auto handlers = std::move(stop_handlers_);
        stop_handlers_.clear();
        for (auto& h : handlers)
            h();
    }

    net::strand<net::any_io_executor> strand_;
    Core& core_;
    client_options options_;
    tcp::resolver resolver_;
    net::steady_timer timer_;
    net::steady_timer reconnect_timer_;
    std::minstd_rand random_;

    connection_ptr conn_;
    std::vector<action> actions_;
    std::optional<time_point> armed_;
    std::uint64_t timer_generation_ = 0;
    unsigned failures_ = 0;
    std::atomic<std::size_t> attempts_{0};
    std::atomic<bool> connected_{false};
    bool normal_close_ = false;
    bool started_ = false;
    bool stopping_ = false;
    bool stopped_ = false;
    std::vector<std::function<void()>> stop_handlers_;
};

} // namespace detail
} // namespace sock8::beast

#endif
