//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

// interop_cpp_member: a sock8 C++ client in a live_cursors room, for
// cpp_and_js.test.mjs, which puts it next to the stock phoenix client.
//
//   interop_cpp_member PORT NAME [SECONDS]
//
// Connects to ws://127.0.0.1:PORT/socket/websocket?name=NAME, joins
// chat.lobby.messages with {typing: true, cursor: {x: 0.25, y: 0.75}},
// and prints one JSON line on stdout
//
//   {"roster":{"user:ada":[{"typing":false}],...}}   the roster changed
//   {"message":{"sender":"...","text":"..."}}       a message arrived
//
// A line "cursor X Y" on stdin moves its cursor. It stops cleanly (close
// 1000, exit 0) at the end of stdin or after SECONDS (default 30).
// Errors the client reports go to stderr as {"error":...} lines.

#include "../../examples/live_cursors/chat_channels.hpp"

#include <sock8/beast/client.hpp>
#include <sock8/channels.hpp>
#include <sock8/client.hpp>
#include <sock8/encode.hpp>
#include <sock8/schema.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/describe.hpp>
#include <boost/json.hpp>

#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>

namespace {

// ---------------------------------------------------------------------
// The channels: the very header the live_cursors server declares them in.

using namespace live_cursors;
using core_type = sock8::client<app>;

// ---------------------------------------------------------------------

[[noreturn]] void usage_error(std::string_view what)
{
    std::cerr << "interop_cpp_member: " << what
              << "\nusage: interop_cpp_member PORT NAME [SECONDS]\n";
    std::exit(2);
}

template <class Int>
Int parse_number(std::string_view what, std::string_view text)
{
    Int value{};
    auto const* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr != end)
        usage_error(std::string(what) + " must be a number");
    return value;
}

// Written on the io thread only, so lines never interleave.
void print_line(std::string const& line)
{
    std::cout << line << std::endl;
}

std::string
roster_line(sock8::presence_handle<chat_messages>::roster_type const& roster)
{
    std::string out = R"({"roster":{)";
    bool first_key = true;
    for (auto const& [key, entries] : roster) {
        if (!first_key)
            out.push_back(',');
        first_key = false;
        out += boost::json::serialize(boost::json::string(key));
        out.append(":[");
        bool first = true;
        for (auto const& e : entries) {
            if (!first)
                out.push_back(',');
            first = false;
            sock8::encode(e.record, out);
        }
        out.push_back(']');
    }
    out.append("}}");
    return out;
}

// "cursor X Y" with X and Y numbers; anything else is not a command.
std::optional<cursor_position> parse_cursor(std::string const& line)
{
    std::istringstream in(line);
    std::string word;
    double x = 0;
    double y = 0;
    if (!(in >> word >> x >> y) || word != "cursor")
        return std::nullopt;
    in >> std::ws;
    if (!in.eof())
        return std::nullopt;
    return cursor_position{x, y};
}

void watch_lobby(core_type& c)
{
    auto& sub = c.subscribe(chat_messages::topic("lobby"));
    auto& presence = sub.presence();
    presence.update(chat_presence{true, cursor_position{0.25, 0.75}});

    sub.on_message([](chat_message const& m) {
        std::string out = R"({"message":)";
        sock8::encode(m, out);
        out.push_back('}');
        print_line(out);
    });
    sub.on_error([](sock8::subscription_error const& e) {
        boost::json::object o;
        o["error"] = e.reason;
        o["details"] = e.details;
        std::cerr << boost::json::serialize(o) << std::endl;
    });

    // A diff that changes nothing visible (a duplicate) prints nothing.
    presence.on_sync([&presence, last = std::string()]() mutable {
        auto line = roster_line(presence.roster());
        if (line == last)
            return;
        last = line;
        print_line(line);
    });
}

// Reads stdin until EOF or `stop`; each line becomes work posted to the
// client's strand, the only place the core may be touched.
void read_stdin(sock8::beast::client<core_type>& ws, std::atomic<bool>& stop,
                std::function<void()> const& at_eof)
{
    std::string pending;
    char buf[512];
    while (!stop.load()) {
        // A bounded wait, so that a stop for another reason ends the loop.
        pollfd p{STDIN_FILENO, POLLIN, 0};
        int const r = ::poll(&p, 1, 100);
        if (r <= 0)
            continue;
        auto const n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        pending.append(buf, static_cast<std::size_t>(n));

        for (auto nl = pending.find('\n'); nl != std::string::npos;
             nl = pending.find('\n')) {
            auto const line = pending.substr(0, nl);
            pending.erase(0, nl + 1);
            auto const cursor = parse_cursor(line);
            if (!cursor) {
                std::cerr << "interop_cpp_member: ignored '" << line << "'\n";
                continue;
            }
            ws.post([cursor = *cursor](core_type& c) {
                auto& sub = c.subscribe(chat_messages::topic("lobby"));
                sub.presence().set<&chat_presence::cursor>(cursor);
            });
        }
    }
    if (!stop.load())
        at_eof();
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 3 || argc > 4)
        usage_error("wrong number of arguments");
    auto const port = parse_number<std::uint16_t>("PORT", argv[1]);
    std::string const name = argv[2];
    auto const seconds =
        argc == 4 ? parse_number<unsigned>("SECONDS", argv[3]) : 30u;

    // Phoenix's 30 s heartbeat is close to the server's idle limit on a
    // busy machine; the JS clients of these tests beat every second.
    core_type core({.params = {{"name", name}},
                    .heartbeat_interval = std::chrono::seconds(5)});
    boost::asio::io_context ioc;
    sock8::beast::client_options options;
    options.host = "127.0.0.1";
    options.port = port;
    sock8::beast::client ws(ioc, core, options);

    // Both ends (EOF and the time bound) come here; async_stop may be
    // called more than once.
    boost::asio::steady_timer bound(ioc);
    auto const shutdown = [&] {
        ws.async_stop([&] {
            bound.cancel();
            ioc.stop();
        });
    };
    bound.expires_after(std::chrono::seconds(seconds));
    bound.async_wait([&](boost::system::error_code ec) {
        if (!ec)
            shutdown();
    });

    ws.post([](core_type& c) { watch_lobby(c); });
    ws.start();

    std::atomic<bool> stop{false};
    std::thread input([&] { read_stdin(ws, stop, shutdown); });

    ioc.run();
    stop = true;
    input.join();
    return 0;
}
