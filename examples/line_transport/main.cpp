//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

// line_transport: a server and two clients over the custom transport of
// line_transport.hpp, on loopback TCP, each core on its own thread. Ada
// moves her cursor; the program exits 0 once Bob sees it, 1 if he has
// not within five seconds.

#include "line_transport.hpp"

#include <sock8/client.hpp>
#include <sock8/server.hpp>

#include <boost/describe.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>

using namespace std::chrono_literals;

struct cursor
{
    sock8::constrained<double, sock8::range<0.0, 1.0>> x;
    sock8::constrained<double, sock8::range<0.0, 1.0>> y;
};
BOOST_DESCRIBE_STRUCT(cursor, (), (x, y))

struct note
{
    std::string text;
};
BOOST_DESCRIBE_STRUCT(note, (), (text))

using board = sock8::channel<"board.{boardId}", note, sock8::presence<cursor>>;
using app = sock8::tree<board>;

// A loopback socket: listening on a port the system picks, or connected
// to one.
int loopback(int& port, bool listen)
{
    int const fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(std::uint16_t(port));
    socklen_t size = sizeof a;
    auto* sa = reinterpret_cast<sockaddr*>(&a);
    if (listen) {
        if (::bind(fd, sa, size) != 0 || ::listen(fd, 8) != 0 ||
            ::getsockname(fd, sa, &size) != 0)
            return -1;
        port = ntohs(a.sin_port);
    } else if (::connect(fd, sa, size) != 0) {
        return -1;
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

int main()
{
    int port = 0;
    int const listener = loopback(port, true);
    if (listener < 0) {
        std::perror("listen on 127.0.0.1");
        return 1;
    }

    sock8::server<app> server;
    server.on_connect([](sock8::authorization<app>& auth) {
        auth.identify_as("user:" +
                         std::string(auth.request().query_value("name")));
        auth.grant<board>();
    });

    // Every core lives on its own thread; the application touches a core
    // only from the tick its loop calls, never from another thread.
    auto const give_up = sock8::clock::now() + 5s;
    std::atomic<bool> seen{false}, done{false};
    auto running = [&](sock8::time_point now) {
        if (now > give_up)
            done = true;
        return !done;
    };

    std::thread server_thread(
        [&] { line_transport::run_server(server, listener, running); });

    // Ada moves once both are present; Bob watches for the move.
    sock8::client<app> ada({.params = {{"name", "ada"}}});
    sock8::client<app> bob({.params = {{"name", "bob"}}});
    auto& ada_board = ada.subscribe(board::topic("demo"));
    auto& bob_board = bob.subscribe(board::topic("demo"));
    bob_board.presence().on_update(
        [&](std::string const& key, auto const&, auto const& now) {
            std::printf("bob sees %s at (%.2f, %.2f)\n", key.c_str(),
                        now.record.x.value(), now.record.y.value());
            if (key == "user:ada" && now.record.x == 0.75)
                seen = done = true;
        });

    std::thread ada_thread([&, fd = loopback(port, false)] {
        bool moved = false;
        line_transport::run_client(ada, fd, [&](sock8::time_point now) {
            if (!moved && ada_board.presence().roster().size() == 2) {
                std::puts("ada sees bob; she moves to (0.75, 0.25)");
                moved = ada_board.presence().update(cursor{0.75, 0.25});
            }
            return running(now);
        });
    });
    std::thread bob_thread([&, fd = loopback(port, false)] {
        line_transport::run_client(bob, fd, running);
    });

    ada_thread.join();
    bob_thread.join();
    server_thread.join();
    ::close(listener);

    std::puts(seen ? "ok: bob saw ada's move"
                   : "failed: bob did not see ada's move within 5 s");
    return seen ? 0 : 1;
}
