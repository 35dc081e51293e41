//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_EXAMPLES_LINE_TRANSPORT_HPP
#define SOCK8_EXAMPLES_LINE_TRANSPORT_HPP

// A complete sock8 transport: text frames, one per line, over POSIX stream
// sockets, each side driven by its own poll() loop. JSON text never holds
// a raw newline, so a newline can end a frame. A client's first line is
// its query string: it stands in for the WebSocket upgrade request.

#include <sock8/transport.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <map>
#include <optional>
#include <ranges>
#include <string>
#include <string_view>
#include <vector>

namespace line_transport {

using sock8::action;
using sock8::clock;
using sock8::time_point;

// A non-blocking socket, the start of a line read so far and the bytes
// the peer has yet to receive.
struct line_stream
{
    int fd = -1;
    std::string in, out;

    // Calls on_line for each complete line; false once the peer is gone.
    bool read(auto&& on_line)
    {
        char buf[4096];
        for (;;) {
            auto const n = ::read(fd, buf, sizeof buf);
            if (n <= 0)
                return n < 0 && (errno == EAGAIN || errno == EINTR);
            in.append(buf, std::size_t(n));
            for (auto nl = in.find('\n'); nl != in.npos; nl = in.find('\n')) {
                on_line(std::string_view(in).substr(0, nl));
                in.erase(0, nl + 1);
            }
        }
    }

    // Writes what the socket takes now; false when the write failed.
    bool flush()
    {
        for (long n = 0; !out.empty(); out.erase(0, std::size_t(n)))
            if ((n = ::send(fd, out.data(), out.size(), MSG_NOSIGNAL)) < 0)
                return errno == EAGAIN || errno == EINTR;
        return true;
    }
};

// Until the core's next deadline, but at least every 20 ms: the
// application's tick runs between polls.
inline int wait_ms(std::optional<time_point> deadline, time_point now)
{
    auto const left = deadline ? *deadline - now : std::chrono::hours(1);
    auto const ms = std::chrono::ceil<std::chrono::milliseconds>(left);
    return int(std::clamp<long>(ms.count(), 0, 20));
}

// Runs a client core on a connected socket until tick(now) returns false.
// It does not reconnect: a real transport would, and call opened() again.
template <sock8::client_core Client>
void run_client(Client& core, int fd, auto tick)
{
    line_stream s{fd, {}, core.url_query() + '\n'};
    std::vector<action> actions;
    bool closing = false;
    core.opened(clock::now());
    for (auto now = clock::now(); tick(now); now = clock::now()) {
        core.take_actions(actions);
        for (auto const& a : actions)
            if (a.what == action::kind::send)
                (s.out += *a.frame) += '\n';
            else
                closing = true; // after the frames queued before it
        if (!s.flush() || (closing && s.out.empty()))
            break;

        pollfd p{fd, short(s.out.empty() ? POLLIN : POLLIN | POLLOUT), 0};
        ::poll(&p, 1, wait_ms(core.next_deadline(), now));
        now = clock::now();
        if (p.revents && !s.read([&](auto line) { core.receive(line, now); }))
            break;
        if (auto d = core.next_deadline(); d && *d <= now)
            core.advance(now);
    }
    ::close(fd);
    core.closed(clock::now());
}

// Runs a server core on a listening socket until tick(now) returns false.
template <sock8::server_core Server>
void run_server(Server& core, int listener, auto tick)
{
    // Past soft_limit unsent bytes a reader is congested: the core holds
    // its presence diffs and sends a snapshot once it drains. Past
    // hard_limit it is closed.
    std::size_t const soft_limit = 256 * 1024, hard_limit = 4 * 1024 * 1024;
    struct conn
    {
        line_stream s;
        std::optional<sock8::connection_id> id; // set by the query line
        bool closing = false, congested = false;
    };
    std::map<int, conn> conns;                   // by socket
    std::map<sock8::connection_id, int> sockets; // the core's id -> socket
    std::vector<action> actions;
    std::vector<pollfd> fds;
    auto lose = [&](auto it, time_point now) {
        ::close(it->first);
        if (auto id = it->second.id; id && sockets.erase(*id))
            core.closed(*id, now); // queues the leave diffs for the others
        return conns.erase(it);
    };

    for (auto now = clock::now(); tick(now); now = clock::now()) {
        for (bool again = true; again;) {
            again = false;
            core.take_actions(actions);
            for (auto const& a : actions) {
                auto const to = sockets.find(a.connection);
                if (to == sockets.end())
                    continue; // its socket closed meanwhile
                auto& c = conns[to->second];
                if (a.what == action::kind::send)
                    (c.s.out += *a.frame) += '\n';
                else
                    c.closing = true;
            }
            for (auto it = conns.begin(); it != conns.end();) {
                auto& c = it->second;
                if (!c.s.flush() || (c.closing && c.s.out.empty()) ||
                    c.s.out.size() > hard_limit) {
                    it = lose(it, now); // and tells the core
                    again = true;
                } else if (c.id &&
                           (c.s.out.size() > soft_limit) != c.congested) {
                    core.congested(*c.id, c.congested = !c.congested, now);
                    again = true;
                } else {
                    ++it;
                }
            }
        }

        fds.assign(1, pollfd{listener, POLLIN, 0});
        for (auto const& [fd, c] : conns)
            fds.push_back(
                {fd, short(c.s.out.empty() ? POLLIN : POLLIN | POLLOUT), 0});
        ::poll(fds.data(), fds.size(), wait_ms(core.next_deadline(), now));
        now = clock::now();
        if (fds[0].revents & POLLIN)
            if (int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK);
                fd >= 0)
                conns[fd].s.fd = fd;

        for (auto const& p : fds | std::views::drop(1)) {
            auto it = conns.find(p.fd);
            auto& c = it->second;
            auto on_line = [&](std::string_view line) {
                if (c.closing)
                    return;
                if (c.id) {
                    core.receive(*c.id, line, now);
                    return;
                }
                sock8::connect_request request;
                for (auto part : std::views::split(line, '&')) {
                    std::string_view kv(part.begin(), part.end());
                    auto const eq = std::min(kv.find('='), kv.size());
                    request.query.emplace_back(
                        kv.substr(0, eq),
                        kv.substr(std::min(eq + 1, kv.size())));
                }
                if (auto id = core.open(request, now))
                    sockets[*(c.id = *id)] = p.fd;
                else
                    c.closing = true; // refused: a WebSocket server says 403
            };
            if (p.revents && !c.s.read(on_line))
                lose(it, now);
        }
        if (auto d = core.next_deadline(); d && *d <= now)
            core.advance(now);
    }
    for (auto it = conns.begin(); it != conns.end();)
        it = lose(it, clock::now());
}

} // namespace line_transport

#endif
