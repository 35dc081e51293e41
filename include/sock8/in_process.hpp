//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_IN_PROCESS_HPP
#define SOCK8_IN_PROCESS_HPP

#include <sock8/error.hpp>
#include <sock8/transport.hpp>
#include <sock8/detail/url.hpp>

#include <boost/system/result.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sock8::in_process {

/** Names one client link of a hub. */
using link_id = std::size_t;

namespace detail {

// Lets one hub carry clients of different channel trees.
struct client_port
{
    virtual ~client_port() = default;
    virtual void opened(time_point now) = 0;
    virtual void receive(std::string_view text, time_point now) = 0;
    virtual void closed(time_point now) = 0;
    virtual void advance(time_point now) = 0;
    virtual std::optional<time_point> next_deadline() const = 0;
    virtual void take_actions(std::vector<action>& out) = 0;
    virtual std::string url_query() const = 0;
};

template <client_core Client>
struct client_port_for final : client_port
{
    explicit client_port_for(Client& c) : client(c) {}

    void opened(time_point now) override { client.opened(now); }
    void receive(std::string_view text, time_point now) override
    {
        client.receive(text, now);
    }
    void closed(time_point now) override { client.closed(now); }
    void advance(time_point now) override { client.advance(now); }
    std::optional<time_point> next_deadline() const override
    {
        return client.next_deadline();
    }
    void take_actions(std::vector<action>& out) override
    {
        client.take_actions(out);
    }
    std::string url_query() const override { return client.url_query(); }

    Client& client;
};

} // namespace detail

/** The in-process transport: a server and any number of clients in one
    process, with simulated time and injectable faults.

    Frames travel through queues owned by the hub; nothing happens until
    the hub is told to deliver (`run`) or to let time pass (`advance`), so
    tests are deterministic. It is also a complete transport for
    single-process applications that want sock8's semantics without
    sockets.

    Faults: `drop` a link abruptly (no leave, no close frame), `pause` and
    `resume` deliveries to one client (so others see frames first),
    `delay` every frame to one client by a duration of simulated time,
    and `fail_send(n)` makes the n-th delivery from now fail, which drops
    that link as a broken socket would.

    @tparam Server a type modelling sock8::server_core.

    @par Example
    @code
    sock8::server<app> server;
    sock8::in_process::hub hub(server);
    sock8::client<app> ada({.params = {{"name", "ada"}}});
    hub.connect(ada);
    ada.subscribe(chat_messages::topic("lobby"));
    hub.run();
    @endcode
*/
template <server_core Server>
class hub
{
public:
    /** Creates a hub around @p server; simulated time starts at
        @p start. */
    explicit hub(Server& server,
                 time_point start = time_point(std::chrono::hours(1)))
        : server_(server), now_(start)
    {
    }

    hub(hub const&) = delete;
    hub& operator=(hub const&) = delete;

    /** The simulated time. */
    time_point now() const noexcept { return now_; }

    /** Connects @p client to the server, as a socket would.

        The request gets the client's url_query() as query parameters.
        @return the link's id, or the server's refusal (the client then
        sees no opened event).
    */
    template <client_core Client>
    boost::system::result<link_id> connect(Client& client,
                                           connect_request request = {})
    {
        auto port = std::make_unique<detail::client_port_for<Client>>(client);
        return connect_port(std::move(port), std::move(request));
    }

    /** Opens a new connection for a link that was dropped or closed, as a
        reconnecting client transport does; the client gets opened(). */
    boost::system::result<link_id> reconnect(link_id link)
    {
        auto& l = links_.at(link);
        if (l.open)
            return link;
        auto opened = server_.open(l.request, now_);
        if (!opened)
            return opened.error();
        l.connection = *opened;
        l.open = true;
        l.to_client.clear();
        l.port->opened(now_);
        run();
        return link;
    }

    /** True while @p link has a live connection. */
    bool connected(link_id link) const { return links_.at(link).open; }

    /** The server's id for the connection of @p link. */
    connection_id connection(link_id link) const
    {
        return links_.at(link).connection;
    }

    /** Delivers every frame in flight whose time has come, until nothing
        moves. Paused links keep their frames. */
    void run()
    {
        bool moved = true;
        while (moved) {
            moved = collect();
            moved |= deliver();
        }
    }

    /** Lets @p d of simulated time pass: every core's deadlines on the
        way fire in order, and frames are delivered as they come due. */
    void advance(clock::duration d)
    {
        auto const target = now_ + d;
        run();
        for (;;) {
            auto next = next_event();
            if (!next || *next > target)
                break;
            now_ = std::max(now_, *next);
            fire_deadlines();
            run();
        }
        now_ = target;
        fire_deadlines();
        run();
    }

    /** Breaks @p link abruptly: no leave, no close frame. Both sides see
        the connection closed; frames in flight are lost. */
    void drop(link_id link)
    {
        break_link(links_.at(link));
        run();
    }

    /** Holds every frame to @p link until resume(). */
    void pause(link_id link) { links_.at(link).paused = true; }

    /** Lets held frames to @p link through, in order. */
    void resume(link_id link)
    {
        links_.at(link).paused = false;
        run();
    }

    /** Makes every frame to @p link arrive @p d of simulated time after
        it was sent. */
    void delay(link_id link, clock::duration d) { links_.at(link).delay = d; }

    /** The n-th frame delivered from now on (1 = the next) fails, and its
        link breaks as a socket does on a failed write. */
    void fail_send(std::size_t n) { fail_at_ = deliveries_ + n; }

    /** Frames delivered so far, both ways. */
    std::size_t deliveries() const noexcept { return deliveries_; }

    /** Frames delivered to @p link's client so far. */
    std::size_t received(link_id link) const
    {
        return links_.at(link).received;
    }

private:
    struct in_flight
    {
        time_point due;
        shared_frame frame;
    };

    struct link
    {
        std::unique_ptr<detail::client_port> port;
        connect_request request;
        connection_id connection = 0;
        std::deque<in_flight> to_client;
        std::deque<shared_frame> to_server;
        clock::duration delay{};
        std::size_t received = 0;
        bool open = false;
        bool paused = false;
    };

    boost::system::result<link_id>
    connect_port(std::unique_ptr<detail::client_port> port,
                 connect_request request)
    {
        for (auto& q : ::sock8::detail::parse_query(port->url_query()))
            request.query.push_back(std::move(q));
        auto opened = server_.open(request, now_);
        if (!opened)
            return opened.error();

        auto& l = links_.emplace_back();
        l.port = std::move(port);
        l.request = std::move(request);
        l.connection = *opened;
        l.open = true;
        l.port->opened(now_);
        run();
        return links_.size() - 1;
    }

    link* find(connection_id id)
    {
        for (auto& l : links_)
            if (l.open && l.connection == id)
                return &l;
        return nullptr;
    }

    void break_link(link& l)
    {
        if (!l.open)
            return;
        l.open = false;
        l.to_client.clear();
        l.to_server.clear();
        server_.closed(l.connection, now_);
        l.port->closed(now_);
    }

    // Moves every core's pending actions into the links' queues.
    bool collect()
    {
        bool moved = false;

        server_.take_actions(actions_);
        for (auto& a : actions_) {
            moved = true;
            auto* l = find(a.connection);
            if (l == nullptr)
                continue;
            if (a.what == action::kind::send)
                l->to_client.push_back({now_ + l->delay, a.frame});
            else if (l->delay.count() > 0)
                // On a delayed link the frames before the close are still
                // on their way: the close travels behind them (no frame).
                l->to_client.push_back({now_ + l->delay, nullptr});
            else
                closing_.push_back(l);
        }

        for (auto& l : links_) {
            l.port->take_actions(actions_);
            for (auto& a : actions_) {
                moved = true;
                if (!l.open)
                    continue;
                if (a.what == action::kind::send)
                    l.to_server.push_back(a.frame);
                else
                    closing_.push_back(&l);
            }
        }

        // A close takes effect after the frames queued before it.
        for (auto* l : closing_) {
            deliver_link(*l, true);
            break_link(*l);
        }
        moved |= !closing_.empty();
        closing_.clear();
        return moved;
    }

    bool deliver()
    {
        bool moved = false;
        for (auto& l : links_)
            moved |= deliver_link(l, false);
        return moved;
    }

    bool deliver_link(link& l, bool ignore_pause)
    {
        bool moved = false;
        while (l.open && !l.to_server.empty()) {
            auto frame = std::move(l.to_server.front());
            l.to_server.pop_front();
            moved = true;
            if (failing(l))
                return true;
            server_.receive(l.connection, *frame, now_);
        }
        while (l.open && (!l.paused || ignore_pause) && !l.to_client.empty() &&
               l.to_client.front().due <= now_) {
            auto frame = std::move(l.to_client.front().frame);
            l.to_client.pop_front();
            moved = true;
            if (!frame) {
                break_link(l);
                return true;
            }
            if (failing(l))
                return true;
            ++l.received;
            l.port->receive(*frame, now_);
        }
        return moved;
    }

    bool failing(link& l)
    {
        ++deliveries_;
        if (!fail_at_ || deliveries_ != *fail_at_)
            return false;
        fail_at_.reset();
        break_link(l);
        return true;
    }

    std::optional<time_point> next_event() const
    {
        std::optional<time_point> next = server_.next_deadline();
        auto const consider = [&](std::optional<time_point> t) {
            if (t && (!next || *t < *next))
                next = t;
        };
        for (auto const& l : links_) {
            if (!l.open)
                continue;
            consider(l.port->next_deadline());
            if (!l.paused && !l.to_client.empty())
                consider(l.to_client.front().due);
        }
        return next;
    }

    void fire_deadlines()
    {
        if (auto d = server_.next_deadline(); d && *d <= now_)
            server_.advance(now_);
        for (auto& l : links_) {
            if (!l.open)
                continue;
            if (auto d = l.port->next_deadline(); d && *d <= now_)
                l.port->advance(now_);
        }
    }

    Server& server_;
    time_point now_;
    std::deque<link> links_;
    std::vector<action> actions_;
    std::vector<link*> closing_;
    std::size_t deliveries_ = 0;
    std::optional<std::size_t> fail_at_;
};

} // namespace sock8::in_process

#endif
