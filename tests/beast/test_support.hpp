//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_TESTS_BEAST_TEST_SUPPORT_HPP
#define SOCK8_TESTS_BEAST_TEST_SUPPORT_HPP

// What the Beast transport tests share: an io_context on two threads, a
// server core that really models sock8::server_core (it records what it
// saw and answers), and a WebSocket peer whose every wait is bounded.

#include <sock8/error.hpp>
#include <sock8/transport.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace sock8_test {

namespace net = boost::asio;
namespace bb = boost::beast;
namespace bhttp = boost::beast::http;
namespace bws = boost::beast::websocket;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using namespace std::chrono_literals;

/** An io_context run by two threads for the life of the object. */
struct io_threads
{
    net::io_context ioc;
    net::executor_work_guard<net::io_context::executor_type> work =
        net::make_work_guard(ioc);
    std::vector<std::thread> threads;

    explicit io_threads(int n = 2)
    {
        for (int i = 0; i < n; ++i)
            threads.emplace_back([this] { ioc.run(); });
    }

    ~io_threads()
    {
        work.reset();
        ioc.stop();
        for (auto& t : threads)
            t.join();
    }
};

/** Polls @p pred until it holds or @p timeout passes. */
inline bool eventually(std::function<bool()> const& pred,
                       std::chrono::milliseconds timeout = 5s)
{
    auto const end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
        if (pred())
            return true;
        std::this_thread::sleep_for(2ms);
    }
    return pred();
}

/** A server core answering text commands, recording every event.

    "broadcast:<n>" sends one shared frame of n bytes to every open
    connection; "flood:<count>:<n>" queues one n-byte frame count times to
    the sender; "count:<n>" sends n distinct small frames in order to the
    sender; "deadline:<ms>" asks to be advanced; "close" closes the
    sender with 1012 "asked"; anything else is echoed. A query token=bad
    is refused with error::unauthorized. stop() says "bye" and closes
    everyone with 1001.
*/
struct test_server_core
{
    mutable std::mutex m;
    sock8::action_queue q;
    std::map<sock8::connection_id, sock8::connect_request> open_now;
    std::vector<sock8::connect_request> requests;
    std::vector<std::string> events;
    sock8::connection_id next_id = 0;
    sock8::shared_frame last_broadcast;
    std::optional<sock8::time_point> deadline;
    int advances = 0;
    int refused = 0;

    boost::system::result<sock8::connection_id>
    open(sock8::connect_request const& r, sock8::time_point)
    {
        std::lock_guard lock(m);
        requests.push_back(r);
        if (r.query_value("token") == "bad") {
            ++refused;
            return sock8::make_error_code(sock8::error::unauthorized);
        }
        auto const id = ++next_id;
        open_now.emplace(id, r);
        events.push_back("open " + std::to_string(id));
        return id;
    }

    void receive(sock8::connection_id id, std::string_view text,
                 sock8::time_point now)
    {
        std::lock_guard lock(m);
        events.push_back("receive " + std::to_string(id));
        std::string const t(text);
        if (t.starts_with("broadcast:")) {
            auto const n = std::stoul(t.substr(10));
            std::string body(n, '\0');
            for (std::size_t i = 0; i < n; ++i)
                body[i] = static_cast<char>('a' + (i * 7) % 26);
            last_broadcast = sock8::make_frame(std::move(body));
            for (auto const& [to, r] : open_now)
                q.send(to, last_broadcast);
        } else if (t.starts_with("flood:")) {
            auto const colon = t.find(':', 6);
            auto const count = std::stoul(t.substr(6, colon - 6));
            auto const n = std::stoul(t.substr(colon + 1));
            auto const f = sock8::make_frame(std::string(n, 'f'));
            for (std::size_t i = 0; i < count; ++i)
                q.send(id, f);
        } else if (t.starts_with("count:")) {
            auto const n = std::stoi(t.substr(6));
            for (int i = 0; i < n; ++i)
                q.send(id, sock8::make_frame("[null,null,\"t\",\"n\",{\"i\":" +
                                             std::to_string(i) + "}]"));
        } else if (t.starts_with("deadline:")) {
            deadline = now + std::chrono::milliseconds(std::stoi(t.substr(9)));
        } else if (t == "close") {
            q.close(id, sock8::close_code::service_restart, "asked");
        } else {
            q.send(id, sock8::make_frame(t));
        }
    }

    void closed(sock8::connection_id id, sock8::time_point)
    {
        std::lock_guard lock(m);
        open_now.erase(id);
        events.push_back("closed " + std::to_string(id));
    }

    void advance(sock8::time_point now)
    {
        std::lock_guard lock(m);
        ++advances;
        if (deadline && now >= *deadline) {
            deadline.reset();
            auto const f = sock8::make_frame("tick");
            for (auto const& [to, r] : open_now)
                q.send(to, f);
        }
    }

    std::optional<sock8::time_point> next_deadline() const
    {
        std::lock_guard lock(m);
        return deadline;
    }

    void take_actions(std::vector<sock8::action>& out) { q.take(out); }

    void stop(sock8::time_point)
    {
        std::lock_guard lock(m);
        events.push_back("stop");
        auto const bye = sock8::make_frame("bye");
        for (auto const& [to, r] : open_now) {
            q.send(to, bye);
            q.close(to, sock8::close_code::going_away, "server stopping");
        }
    }

    void congested(sock8::connection_id id, bool on, sock8::time_point)
    {
        std::lock_guard lock(m);
        events.push_back("congested " + std::to_string(id) + " " +
                         (on ? "on" : "off"));
    }

    // ---- read from the test thread ----

    bool saw(std::string const& event) const
    {
        std::lock_guard lock(m);
        for (auto const& e : events)
            if (e == event)
                return true;
        return false;
    }

    std::ptrdiff_t position(std::string const& event) const
    {
        std::lock_guard lock(m);
        for (std::size_t i = 0; i < events.size(); ++i)
            if (events[i] == event)
                return static_cast<std::ptrdiff_t>(i);
        return -1;
    }

    std::size_t open_count() const
    {
        std::lock_guard lock(m);
        return open_now.size();
    }

    std::size_t opened_total() const
    {
        std::lock_guard lock(m);
        return next_id;
    }

    std::size_t closed_total() const
    {
        std::lock_guard lock(m);
        std::size_t n = 0;
        for (auto const& e : events)
            n += e.starts_with("closed ");
        return n;
    }

    sock8::connect_request last_request() const
    {
        std::lock_guard lock(m);
        return requests.empty() ? sock8::connect_request{} : requests.back();
    }
};

static_assert(sock8::server_core<test_server_core>);

/** A WebSocket peer on its own io_context; every call is bounded. */
struct ws_peer
{
    net::io_context ioc;
    bws::stream<bb::tcp_stream> ws{ioc};
    bb::flat_buffer buffer;
    bws::response_type response;
    error_code last_error;

    template <class Start>
    error_code run(Start start, std::chrono::milliseconds timeout = 5s)
    {
        std::optional<error_code> result;
        start([&result](error_code ec, auto&&...) { result = ec; });
        ioc.restart();
        ioc.run_for(timeout);
        if (!result) {
            error_code ignored;
            bb::get_lowest_layer(ws).socket().close(ignored);
            ioc.restart();
            ioc.run_for(1s);
            return net::error::timed_out;
        }
        return *result;
    }

    /** Connects and upgrades; the handshake response lands in response. */
    error_code connect(std::uint16_t port, std::string const& target,
                       std::string const& protocols = {},
                       std::optional<int> receive_buffer = std::nullopt)
    {
        auto& sock = bb::get_lowest_layer(ws).socket();
        sock.open(tcp::v4());
        if (receive_buffer)
            sock.set_option(net::socket_base::receive_buffer_size(
                *receive_buffer));
        tcp::endpoint const ep{net::ip::make_address("127.0.0.1"), port};
        auto ec = run([&](auto h) { sock.async_connect(ep, h); });
        if (ec)
            return ec;
        if (!protocols.empty())
            ws.set_option(bws::stream_base::decorator(
                [protocols](bws::request_type& req) {
                    req.set(bhttp::field::sec_websocket_protocol, protocols);
                }));
        ws.read_message_max(64 * 1024 * 1024);
        return run([&](auto h) {
            ws.async_handshake(response, "127.0.0.1:" + std::to_string(port),
                               target, h);
        });
    }

    error_code write(std::string const& text, bool binary = false)
    {
        ws.binary(binary);
        return run([&](auto h) { ws.async_write(net::buffer(text), h); });
    }

    error_code read(std::string& out, std::chrono::milliseconds t = 5s)
    {
        buffer.consume(buffer.size());
        auto ec = run([&](auto h) { ws.async_read(buffer, h); }, t);
        out = bb::buffers_to_string(buffer.data());
        return ec;
    }

    /** Reads until the connection ends; returns the close code seen. */
    std::optional<std::uint16_t> read_until_closed(
        std::vector<std::string>* frames = nullptr)
    {
        for (int i = 0; i < 1000; ++i) {
            std::string text;
            auto ec = read(text);
            if (ec == bws::error::closed)
                return ws.reason().code;
            if (ec) {
                last_error = ec;
                return std::nullopt;
            }
            if (frames)
                frames->push_back(text);
        }
        return std::nullopt;
    }
};

/** Sends one plain HTTP request and returns the response. */
inline bhttp::response<bhttp::string_body>
http_get(std::uint16_t port, std::string const& target)
{
    net::io_context ioc;
    bb::tcp_stream stream(ioc);
    bhttp::response<bhttp::string_body> res;
    bb::flat_buffer buffer;
    bhttp::request<bhttp::string_body> req{bhttp::verb::get, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.keep_alive(false);
    stream.expires_after(5s);
    stream.async_connect(
        tcp::endpoint{net::ip::make_address("127.0.0.1"), port},
        [&](error_code ec) {
            if (ec)
                return;
            bhttp::async_write(stream, req, [&](error_code e, std::size_t) {
                if (e)
                    return;
                bhttp::async_read(stream, buffer, res,
                                  [](error_code, std::size_t) {});
            });
        });
    ioc.run_for(6s);
    return res;
}

} // namespace sock8_test

#endif
