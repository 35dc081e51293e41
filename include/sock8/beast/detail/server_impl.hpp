//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_BEAST_DETAIL_SERVER_IMPL_HPP
#define SOCK8_BEAST_DETAIL_SERVER_IMPL_HPP

// The machinery behind sock8::beast::server. Two kinds of strands:
//
// - the core strand runs every call into the core, the acceptor, the
//   deadline timer and the tables of sessions (`sessions_`,
//   `connections_`), so none of them needs a lock;
// - each session runs on its own strand, which owns its socket, its read
//   buffer and its send queue.
//
// They talk by posting to each other. The only state read across strands
// is a session's count of queued bytes and its congested flag (atomics).

#include <sock8/beast/detail/batching_stream.hpp>
#include <sock8/detail/url.hpp>
#include <sock8/beast/http.hpp>
#include <sock8/transport.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sock8::beast {

/** Settings of a @ref server. Every limit is per connection. */
struct server_options
{
    /// The address to listen on.
    std::string address = "127.0.0.1";
    /// The port to listen on; 0 picks a free one (see server::port()).
    std::uint16_t port = 0;
    /// The endpoint; the WebSocket lives at `<mount>/websocket`.
    std::string mount = "/socket";
    /// The largest text frame accepted; a larger one closes with 1009.
    std::size_t max_frame_bytes = 64 * 1024;
    /// Queued bytes past which the core is told the connection congested.
    std::size_t soft_send_limit = 256 * 1024;
    /// Queued bytes past which the connection is closed with 1008.
    std::size_t hard_send_limit = 4 * 1024 * 1024;
    /// Queued frames up to this many bytes together are written with one
    /// socket write (their bytes are copied once into a per-connection
    /// buffer); a larger frame is written on its own, straight from the
    /// shared buffer. 0 writes every frame on its own.
    std::size_t write_batch_bytes = 64 * 1024;
    /// Time allowed to read the HTTP request and finish the upgrade.
    std::chrono::milliseconds handshake_timeout{10'000};
    /// Time allowed for a close handshake before the socket is dropped.
    std::chrono::milliseconds close_timeout{5'000};
    /// The largest body of a plain HTTP request.
    std::size_t max_http_body_bytes = 1024 * 1024;
    /// Answers plain HTTP requests; unset or declined means 404.
    http_handler http;
};

namespace detail {

// The request parsers are shared with the in-process transport.
using namespace ::sock8::detail;

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
namespace bws = boost::beast::websocket;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

template <class Core>
class server_impl;

inline std::string lower(std::string_view s)
{
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

template <class Fields>
string_pairs lower_headers(Fields const& fields)
{
    string_pairs out;
    for (auto const& f : fields)
        out.emplace_back(lower(f.name_string()), std::string(f.value()));
    return out;
}

/** One accepted TCP connection: first HTTP, then maybe a WebSocket. */
template <class Core>
class server_session
    : public std::enable_shared_from_this<server_session<Core>>
{
public:
    using impl_type = server_impl<Core>;
    using stream_type =
        bws::stream<batching_stream<boost::beast::tcp_stream>>;

    server_session(std::shared_ptr<impl_type> server, tcp::socket socket)
        : server_(std::move(server))
        , ws_(std::move(socket))
        , close_timer_(ws_.get_executor())
    {
    }

    auto executor() { return ws_.get_executor(); }

    // ---- read on the core strand only ----
    connection_id id_ = 0;
    bool has_id_ = false;
    bool close_requested_ = false;
    // Sends of one round of actions, handed over in one post.
    std::vector<shared_frame> outbox_;

    // ---- shared between strands ----
    std::atomic<std::size_t> queued_bytes_{0};
    std::atomic<bool> congested_{false};

    // ---- everything below runs on the session strand ----

    void run()
    {
        net::post(executor(), [self = this->shared_from_this()] {
            self->read_request();
        });
    }

    void push(std::vector<shared_frame> frames)
    {
        if (finished_ || closing_ || close_pending_) {
            for (auto const& f : frames)
                queued_bytes_ -= f->size();
            return;
        }
        for (auto& f : frames)
            queue_.push_back(std::move(f));
        maybe_write();
    }

    // Closes after the queued sends, or at once (dropping them) when the
    // peer is too slow to ever receive them.
    void request_close(close_code code, std::string reason, bool drop_queue)
    {
        if (finished_ || closing_ || close_pending_)
            return;
        close_pending_ = true;
        close_reason_ = bws::close_reason(static_cast<bws::close_code>(code),
                                          std::string_view(reason));
        if (drop_queue) {
            std::size_t const keep = writing_ ? in_flight_ : 0;
            while (queue_.size() > keep) {
                queued_bytes_ -= queue_.back()->size();
                queue_.pop_back();
            }
            if (accepted_)
                start_close();
            return;
        }
        maybe_write();
    }

    void stop_now()
    {
        if (finished_)
            return;

        // Plain HTTP and requests still waiting for the core just end; an
        // upgrade under way finishes and then closes with 1001, so the
        // client knows to come back.
        if (!upgrading_) {
            finish();
            return;
        }
        request_close(close_code::going_away, "server stopping", false);
    }

    void accept(bool answer_phoenix)
    {
        if (finished_)
            return;
        upgrading_ = true;
        auto const& o = server_->options();
        boost::beast::get_lowest_layer(ws_).expires_never();
        bws::stream_base::timeout t{};
        t.handshake_timeout = o.handshake_timeout;
        t.idle_timeout = bws::stream_base::none();
        t.keep_alive_pings = false;
        ws_.set_option(t);
        ws_.read_message_max(0);
        // Beast cuts messages into 4 KiB frames by default, one socket
        // write each; whole messages take one write (measured: 16 times
        // fewer writes for a 64 KiB frame).
        ws_.auto_fragment(false);
        if (answer_phoenix)
            ws_.set_option(bws::stream_base::decorator(
                [](bws::response_type& res) {
                    res.set(bhttp::field::sec_websocket_protocol, "phoenix");
                }));

        ws_.async_accept(req_, [self = this->shared_from_this()](
                                   error_code ec) { self->on_accept(ec); });
    }

    void refuse(unsigned status, std::string body)
    {
        if (finished_)
            return;
        http_response r;
        r.status = status;
        r.body = std::move(body);
        write_response(std::move(r), false);
    }

    void answer(std::optional<http_response> r)
    {
        if (finished_)
            return;
        if (!r) {
            r.emplace();
            r->status = 404;
            r->body = "not found\n";
        }
        write_response(std::move(*r), req_.keep_alive());
    }

    void resume_read()
    {
        buffer_.consume(buffer_.size());
        do_read();
    }

private:
    void read_request()
    {
        auto const& o = server_->options();
        parser_.emplace();
        parser_->body_limit(o.max_http_body_bytes);
        boost::beast::get_lowest_layer(ws_).expires_after(o.handshake_timeout);
        bhttp::async_read(
            ws_.next_layer(), buffer_, *parser_,
            [self = this->shared_from_this()](error_code ec, std::size_t) {
                self->on_request(ec);
            });
    }

    void on_request(error_code ec)
    {
        if (finished_)
            return;
        if (ec == bhttp::error::body_limit) {
            // Answer rather than drop: the client learns why. The parser
            // stops inside the header, so the request is not kept.
            req_ = {};
            req_.version(11);
            parser_.reset();
            refuse(413, "request body too large\n");
            return;
        }
        if (ec) {
            finish();
            return;
        }
        req_ = parser_->release();
        parser_.reset();

        error_code ignored;
        auto const peer =
            boost::beast::get_lowest_layer(ws_).socket().remote_endpoint(
                ignored);
        remote_address_ = ignored ? std::string{} : peer.address().to_string();

        if (bws::is_upgrade(req_))
            on_upgrade();
        else
            on_http();
    }

    void on_http()
    {
        http_request r;
        r.method = std::string(req_.method_string());
        r.target = std::string(req_.target());
        auto [path, query] = split_target(req_.target());
        r.path = std::move(path);
        r.query = parse_query(query);
        r.headers = lower_headers(req_);
        r.body = req_.body();
        r.remote_address = remote_address_;
        server_->post_http(this->shared_from_this(), std::move(r));
    }

    void on_upgrade()
    {
        auto [path, query_text] = split_target(req_.target());
        if (path != server_->websocket_path()) {
            refuse(404, "not found\n");
            return;
        }

        connect_request r;
        r.path = std::move(path);
        r.query = parse_query(query_text);
        std::optional<std::string_view> vsn;
        for (auto const& [k, v] : r.query)
            if (k == "vsn") {
                vsn = v;
                break;
            }
        if (!accepts_vsn(vsn)) {
            refuse(400, "sock8 speaks Phoenix V2 JSON; connect with "
                        "vsn=2.0.0\n");
            return;
        }

        r.headers = lower_headers(req_);
        r.remote_address = remote_address_;
        bool phoenix = false;
        for (auto p :
             split_protocols(req_[bhttp::field::sec_websocket_protocol])) {
            if (p == "phoenix")
                phoenix = true;
            else if (p.starts_with(bearer_prefix))
                if (auto t = base64_decode(p.substr(bearer_prefix.size())))
                    r.auth_token = std::move(*t);
        }
        server_->post_open(this->shared_from_this(), std::move(r), phoenix);
    }

    void write_response(http_response r, bool keep_alive)
    {
        res_ = {};
        res_.version(req_.version());
        res_.result(r.status);
        res_.set(bhttp::field::server, "sock8");
        res_.set(bhttp::field::content_type, r.content_type);
        for (auto const& [k, v] : r.headers)
            res_.set(k, v);
        res_.body() = std::move(r.body);
        res_.keep_alive(keep_alive);
        res_.prepare_payload();

        boost::beast::get_lowest_layer(ws_).expires_after(
            server_->options().handshake_timeout);
        bhttp::async_write(
            ws_.next_layer(), res_,
            [self = this->shared_from_this()](error_code ec, std::size_t) {
                if (self->finished_)
                    return;
                if (ec) {
                    self->finish();
                    return;
                }
                if (!self->res_.keep_alive()) {
                    error_code ignored;
                    boost::beast::get_lowest_layer(self->ws_)
                        .socket()
                        .shutdown(tcp::socket::shutdown_send, ignored);
                    self->drain_then_finish();
                    return;
                }
                self->read_request();
            });
    }

    void on_accept(error_code ec)
    {
        if (finished_)
            return;
        if (ec) {
            finish();
            return;
        }
        accepted_ = true;
        buffer_.consume(buffer_.size());
        do_read();
        maybe_write();
    }

    void do_read()
    {
        if (finished_ || closing_)
            return;

        // Reading piecewise with a limit, instead of letting Beast enforce
        // read_message_max, keeps the connection able to say 1009: Beast's
        // own teardown then drops the socket with the rest of the message
        // unread, and the peer sees a reset instead of the close code.
        std::size_t const max = server_->options().max_frame_bytes;
        std::size_t const room = max + 1 - std::min(max, buffer_.size());
        ws_.async_read_some(buffer_, room,
                            [self = this->shared_from_this()](
                                error_code ec, std::size_t) {
                                self->on_read(ec);
                            });
    }

    void on_read(error_code ec)
    {
        if (finished_)
            return;
        if (ec) {
            // A protocol error (Beast answered it with 1002), the peer's
            // close, or a dropped socket: either way the connection ends.
            finish();
            return;
        }
        if (buffer_.size() > server_->options().max_frame_bytes) {
            buffer_.consume(buffer_.size());
            request_close_code(bws::close_code::too_big,
                               "frame too large");
            return;
        }
        if (!ws_.is_message_done()) {
            do_read();
            return;
        }
        if (!ws_.got_text()) {
            // Phoenix V2 JSON is text; binary frames are not part of it.
            buffer_.consume(buffer_.size());
            request_close_code(bws::close_code::unknown_data,
                               "sock8 accepts text frames only");
            return;
        }

        // The core reads the text in place; the next read waits for it,
        // which also bounds what one peer can make the core buffer.
        auto const data = buffer_.cdata();
        server_->post_receive(
            this->shared_from_this(),
            std::string_view(static_cast<char const*>(data.data()),
                             data.size()));
    }

    void request_close_code(bws::close_code code, std::string_view reason)
    {
        if (finished_ || closing_)
            return;
        close_pending_ = true;
        close_reason_ = bws::close_reason(code, reason);
        start_close();
    }

    void maybe_write()
    {
        if (!accepted_ || writing_ || finished_ || closing_)
            return;
        if (queue_.empty()) {
            if (close_pending_)
                start_close();
            return;
        }

        // Small frames queued together go out in one socket write; a lone
        // or large frame is written straight from its shared buffer.
        std::size_t const limit = server_->options().write_batch_bytes;
        std::size_t count = 0;
        std::size_t total = 0;
        for (auto const& f : queue_) {
            if (total + f->size() > limit)
                break;
            total += f->size();
            ++count;
        }
        writing_ = true;
        ws_.text(true);
        if (count < 2) {
            in_flight_ = 1;
            ws_.async_write(net::buffer(*queue_.front()),
                            [self = this->shared_from_this()](
                                error_code ec, std::size_t) {
                                self->on_write(ec);
                            });
            return;
        }
        in_flight_ = count;
        ws_.next_layer().begin_batch();
        write_batched(0);
    }

    void write_batched(std::size_t i)
    {
        ws_.async_write(net::buffer(*queue_[i]),
                        [self = this->shared_from_this(), i](
                            error_code ec, std::size_t) {
                            self->on_batched(ec, i);
                        });
    }

    void on_batched(error_code ec, std::size_t i)
    {
        if (finished_ || ec) {
            writing_ = false;
            finish();
            return;
        }
        if (i + 1 < in_flight_) {
            write_batched(i + 1);
            return;
        }
        ws_.next_layer().async_flush(
            [self = this->shared_from_this()](error_code e) {
                self->on_write(e);
            });
    }

    void on_write(error_code ec)
    {
        writing_ = false;
        if (finished_)
            return;
        std::size_t n = 0;
        for (std::size_t i = 0; i < in_flight_; ++i) {
            n += queue_.front()->size();
            queue_.pop_front();
        }
        in_flight_ = 0;
        std::size_t const left = queued_bytes_ -= n;
        if (congested_ && left < server_->options().soft_send_limit / 2)
            server_->post_drained(this->shared_from_this());
        if (ec) {
            finish();
            return;
        }
        maybe_write();
    }

    void start_close()
    {
        if (closing_ || finished_)
            return;
        closing_ = true;
        close_timer_.expires_after(server_->options().close_timeout);
        close_timer_.async_wait(
            [self = this->shared_from_this()](error_code ec) {
                if (!ec)
                    self->finish();
            });
        ws_.async_close(close_reason_,
                        [self = this->shared_from_this()](error_code) {
                            self->finish();
                        });
    }

    // A refused request may still be arriving (a body over the limit):
    // closing now would reset the connection and lose the response. Read
    // and drop what comes until the peer closes, for a bounded time.
    void drain_then_finish()
    {
        if (finished_)
            return;
        boost::beast::get_lowest_layer(ws_).expires_after(
            server_->options().close_timeout);
        buffer_.clear();
        ws_.next_layer().async_read_some(
            buffer_.prepare(16 * 1024),
            [self = this->shared_from_this()](error_code ec, std::size_t) {
                if (ec) {
                    self->finish();
                    return;
                }
                self->drain_then_finish();
            });
    }

    void finish()
    {
        if (finished_)
            return;
        finished_ = true;
        close_timer_.cancel();
        error_code ignored;
        boost::beast::get_lowest_layer(ws_).socket().close(ignored);
        if (!writing_)
            queue_.clear();
        server_->post_gone(this->shared_from_this());
    }

    std::shared_ptr<impl_type> server_;
    stream_type ws_;
    net::steady_timer close_timer_;
    boost::beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    bhttp::request<bhttp::string_body> req_;
    bhttp::response<bhttp::string_body> res_;
    std::string remote_address_;
    std::deque<shared_frame> queue_;
    std::size_t in_flight_ = 0;
    bws::close_reason close_reason_;
    bool upgrading_ = false;
    bool accepted_ = false;
    bool writing_ = false;
    bool close_pending_ = false;
    bool closing_ = false;
    bool finished_ = false;
};

/** The shared state of a server; sessions keep it alive. */
template <class Core>
class server_impl : public std::enable_shared_from_this<server_impl<Core>>
{
public:
    using session_type = server_session<Core>;
    using session_ptr = std::shared_ptr<session_type>;

    server_impl(net::any_io_executor ex, Core& core, server_options options)
        : ex_(std::move(ex))
        , strand_(net::make_strand(ex_))
        , core_(core)
        , options_(std::move(options))
        , acceptor_(strand_)
        , timer_(strand_)
        , retry_timer_(strand_)
        , websocket_path_(options_.mount + "/websocket")
    {
        // Binding here, not in the accept loop, reports a busy port to the
        // constructor's caller as an exception.
        auto const address = net::ip::make_address(options_.address);
        tcp::endpoint const endpoint{address, options_.port};
        acceptor_.open(endpoint.protocol());
        acceptor_.set_option(net::socket_base::reuse_address(true));
        acceptor_.bind(endpoint);
        acceptor_.listen(net::socket_base::max_listen_connections);
        port_ = acceptor_.local_endpoint().port();
    }

    server_options const& options() const noexcept { return options_; }
    std::string const& websocket_path() const noexcept
    {
        return websocket_path_;
    }
    std::uint16_t port() const noexcept { return port_; }
    auto strand() const { return strand_; }
    Core& core() noexcept { return core_; }

    void start()
    {
        net::post(strand_, [self = this->shared_from_this()] {
            self->do_accept();
            self->arm_timer();
        });
    }

    // ---- called from sessions: hop onto the core strand ----

    void post_open(session_ptr s, connect_request r, bool phoenix)
    {
        net::post(strand_, [self = this->shared_from_this(), s = std::move(s),
                            r = std::move(r), phoenix]() mutable {
            self->on_open(s, r, phoenix);
        });
    }

    void post_receive(session_ptr s, std::string_view text)
    {
        net::post(strand_, [self = this->shared_from_this(), s, text] {
            if (s->has_id_ && !s->close_requested_) {
                self->core_.receive(s->id_, text, clock::now());
                self->after_core();
            }
            net::post(s->executor(), [s] { s->resume_read(); });
        });
    }

    void post_http(session_ptr s, http_request r)
    {
        net::post(strand_, [self = this->shared_from_this(), s = std::move(s),
                            r = std::move(r)] {
            std::optional<http_response> answer;
            try {
                if (self->options_.http)
                    answer = self->options_.http(r);
            } catch (std::exception const&) {
                // A failing handler is the application's bug; the client
                // still deserves an answer and the server keeps running.
                answer.emplace();
                answer->status = 500;
                answer->body = "internal server error\n";
            }
            self->after_core();
            net::post(s->executor(), [s, a = std::move(answer)]() mutable {
                s->answer(std::move(a));
            });
        });
    }

    void post_drained(session_ptr s)
    {
        net::post(strand_, [self = this->shared_from_this(), s] {
            auto const half = self->options_.soft_send_limit / 2;
            if (!s->has_id_ || !s->congested_ || s->queued_bytes_ >= half)
                return;
            if (!self->connections_.contains(s->id_))
                return;
            s->congested_ = false;
            self->core_.congested(s->id_, false, clock::now());
            self->after_core();
        });
    }

    void post_gone(session_ptr s)
    {
        net::post(strand_, [self = this->shared_from_this(), s] {
            self->sessions_.erase(s.get());
            if (s->has_id_ && self->connections_.erase(s->id_) > 0) {
                self->core_.closed(s->id_, clock::now());
                self->after_core();
            }
            self->check_stopped();
        });
    }

    // ---- application side ----

    template <class F>
    void post(F f)
    {
        auto self = this->shared_from_this();
        net::post(strand_, [self, f = std::move(f)]() mutable {
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
    void do_accept()
    {
        if (stopping_)
            return;
        acceptor_.async_accept(
            net::make_strand(ex_),
            [self = this->shared_from_this()](error_code ec, tcp::socket s) {
                self->on_accept(ec, std::move(s));
            });
    }

    void on_accept(error_code ec, tcp::socket socket)
    {
        if (stopping_)
            return;
        if (ec) {
            // Out of descriptors and the like: back off instead of
            // spinning on an error that repeats at once.
            retry_timer_.expires_after(std::chrono::milliseconds(50));
            retry_timer_.async_wait(
                [self = this->shared_from_this()](error_code e) {
                    if (!e)
                        self->do_accept();
                });
            return;
        }
        auto s = std::make_shared<session_type>(this->shared_from_this(),
                                                std::move(socket));
        sessions_.emplace(s.get(), s);
        s->run();
        do_accept();
    }

    void on_open(session_ptr const& s, connect_request const& r, bool phoenix)
    {
        if (!sessions_.contains(s.get()))
            return;
        if (stopping_) {
            net::post(s->executor(),
                      [s] { s->refuse(503, "server stopping\n"); });
            return;
        }

        auto result = core_.open(r, clock::now());
        if (!result) {
            net::post(s->executor(), [s, m = result.error().message()] {
                s->refuse(403, m + "\n");
            });
            after_core();
            return;
        }

        s->id_ = *result;
        s->has_id_ = true;
        connections_.emplace(s->id_, s);
        net::post(s->executor(), [s, phoenix] { s->accept(phoenix); });
        after_core();
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
        for (auto const& s : touched_)
            hand_over(s);
        touched_.clear();
        arm_timer();
    }

    // One post per connection and round rather than one per frame: a
    // broadcast of many frames costs each connection one strand hop.
    void hand_over(session_ptr const& s)
    {
        if (s->outbox_.empty())
            return;
        net::post(s->executor(),
                  [s, frames = std::move(s->outbox_)]() mutable {
                      s->push(std::move(frames));
                  });
        s->outbox_.clear();
    }

    void perform(action& a)
    {
        auto it = connections_.find(a.connection);
        if (it == connections_.end())
            return;
        auto const s = it->second.lock();
        if (!s || s->close_requested_)
            return;

        if (a.what == action::kind::close) {
            hand_over(s);
            s->close_requested_ = true;
            net::post(s->executor(), [s, code = a.code,
                                      r = std::move(a.reason)]() mutable {
                s->request_close(code, std::move(r), false);
            });
            return;
        }

        std::size_t const n = a.frame->size();
        std::size_t const queued = s->queued_bytes_ += n;
        if (queued > options_.hard_send_limit) {
            s->queued_bytes_ -= n;
            for (auto const& f : s->outbox_)
                s->queued_bytes_ -= f->size();
            s->outbox_.clear();
            s->close_requested_ = true;
            net::post(s->executor(), [s] {
                s->request_close(close_code::policy_violation,
                                 "send queue full", true);
            });
            return;
        }
        if (queued > options_.soft_send_limit && !s->congested_) {
            s->congested_ = true;
            core_.congested(s->id_, true, clock::now());
        }
        if (s->outbox_.empty())
            touched_.push_back(s);
        s->outbox_.push_back(std::move(a.frame));
    }

    void arm_timer()
    {
        if (timer_stopped_)
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
            if (ec || g != self->timer_generation_ || self->timer_stopped_)
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
        if (stopping_) {
            check_stopped();
            return;
        }
        stopping_ = true;
        error_code ignored;
        acceptor_.close(ignored);
        retry_timer_.cancel();

        core_.stop(clock::now());
        after_core();

        // Sessions the core did not close (plain HTTP, upgrades in
        // flight, or a core that leaves it to us) go away too.
        for (auto const& [p, weak] : sessions_) {
            auto s = weak.lock();
            if (!s)
                continue;
            s->close_requested_ = true;
            net::post(s->executor(), [s] { s->stop_now(); });
        }
        check_stopped();
    }

    void check_stopped()
    {
        if (!stopping_ || !sessions_.empty())
            return;
        timer_stopped_ = true;
        timer_.cancel();
        auto handlers = std::move(stop_handlers_);
        stop_handlers_.clear();
        for (auto& h : handlers)
            h();
    }

    net::any_io_executor ex_;
    net::strand<net::any_io_executor> strand_;
    Core& core_;
    server_options options_;
    tcp::acceptor acceptor_;
    net::steady_timer timer_;
    net::steady_timer retry_timer_;
    std::string websocket_path_;
    std::uint16_t port_ = 0;

    // Weak, so that a session and the server never keep each other alive:
    // a live session always has an operation pending that owns it, and
    // an io_context destroyed with connections open frees them.
    std::unordered_map<session_type*, std::weak_ptr<session_type>> sessions_;
    std::unordered_map<connection_id, std::weak_ptr<session_type>>
        connections_;
    std::vector<action> actions_;
    std::vector<session_ptr> touched_;
    std::optional<time_point> armed_;
    std::uint64_t timer_generation_ = 0;
    bool timer_stopped_ = false;
    bool stopping_ = false;
    std::vector<std::function<void()>> stop_handlers_;
};

} // namespace detail
} // namespace sock8::beast

#endif
