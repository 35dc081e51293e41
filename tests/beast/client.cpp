//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#include <sock8/beast/client.hpp>

#include "test_support.hpp"

#include <sock8/beast/server.hpp>
#include <sock8/channels.hpp>
#include <sock8/client.hpp>
#include <sock8/schema.hpp>
#include <sock8/server.hpp>

#include <boost/asio/use_future.hpp>
#include <boost/describe.hpp>

#include <gtest/gtest.h>

#include <future>

using namespace sock8_test;

namespace {

/** A client core that records what it saw and answers like a test
    would: it says the configured greetings on every opened, and sends
    "from-advance" when its deadline passes. */
struct test_client_core
{
    mutable std::mutex m;
    sock8::action_queue q;
    std::string query = "token=good&vsn=2.0.0";
    std::vector<std::string> greetings{"hello"};
    std::optional<std::chrono::milliseconds> deadline_after_open;
    std::optional<sock8::time_point> deadline;
    std::vector<std::string> received;
    int opened_count = 0;
    int closed_count = 0;
    int advances = 0;

    void opened(sock8::time_point now)
    {
        std::lock_guard lock(m);
        ++opened_count;
        for (auto const& g : greetings)
            q.send(0, sock8::make_frame(g));
        if (deadline_after_open)
            deadline = now + *deadline_after_open;
    }

    void receive(std::string_view text, sock8::time_point)
    {
        std::lock_guard lock(m);
        received.emplace_back(text);
    }

    void closed(sock8::time_point)
    {
        std::lock_guard lock(m);
        ++closed_count;
    }

    void advance(sock8::time_point now)
    {
        std::lock_guard lock(m);
        ++advances;
        if (deadline && now >= *deadline) {
            deadline.reset();
            q.send(0, sock8::make_frame("from-advance"));
        }
    }

    std::optional<sock8::time_point> next_deadline() const
    {
        std::lock_guard lock(m);
        return deadline;
    }

    void take_actions(std::vector<sock8::action>& out) { q.take(out); }

    std::string url_query() const
    {
        std::lock_guard lock(m);
        return query;
    }

    int opened() const
    {
        std::lock_guard lock(m);
        return opened_count;
    }

    int closed() const
    {
        std::lock_guard lock(m);
        return closed_count;
    }

    bool got(std::string const& text) const
    {
        std::lock_guard lock(m);
        return std::find(received.begin(), received.end(), text) !=
               received.end();
    }
};

static_assert(sock8::client_core<test_client_core>);

sock8::beast::server_options server_options_for(std::uint16_t port = 0)
{
    sock8::beast::server_options o;
    o.port = port;
    o.close_timeout = 500ms;
    return o;
}

sock8::beast::client_options client_options_for(std::uint16_t port)
{
    sock8::beast::client_options o;
    o.port = port;
    o.close_timeout = 500ms;
    o.handshake_timeout = 2s;
    return o;
}

void stop(auto& endpoint)
{
    ASSERT_EQ(endpoint.async_stop(net::use_future).wait_for(5s),
              std::future_status::ready);
}

} // namespace

TEST(beast_client, connects_sends_and_receives)
{
    test_server_core server_core;
    test_client_core core;
    io_threads io;
    sock8::beast::server server(io.ioc, server_core, server_options_for());
    sock8::beast::client client(io.ioc, core,
                                client_options_for(server.port()));
    client.start();

    // The server core echoes the greeting the client core sent on opened.
    ASSERT_TRUE(eventually([&] { return core.got("hello"); }));
    EXPECT_TRUE(client.connected());
    EXPECT_EQ(core.opened(), 1);
    auto const r = server_core.last_request();
    EXPECT_EQ(r.path, "/socket/websocket");
    EXPECT_EQ(r.query_value("token"), "good");
    EXPECT_EQ(r.query_value("vsn"), "2.0.0");

    client.post([](test_client_core& c) {
        std::lock_guard lock(c.m);
        c.q.send(0, sock8::make_frame("posted"));
    });
    EXPECT_TRUE(eventually([&] { return core.got("posted"); }));
    stop(client);
    stop(server);
}

TEST(beast_client, offers_subprotocols)
{
    test_server_core server_core;
    test_client_core core;
    io_threads io;
    sock8::beast::server server(io.ioc, server_core, server_options_for());
    auto o = client_options_for(server.port());
    o.subprotocols = {"phoenix", "base64url.bearer.phx.c2VjcmV0"};
    sock8::beast::client client(io.ioc, core, o);
    client.start();

    ASSERT_TRUE(eventually([&] { return core.got("hello"); }));
    EXPECT_EQ(server_core.last_request().auth_token, "secret");
    stop(client);
    stop(server);
}

TEST(beast_client, next_deadline_drives_advance)
{
    test_server_core server_core;
    test_client_core core;
    core.deadline_after_open = 40ms;
    io_threads io;
    sock8::beast::server server(io.ioc, server_core, server_options_for());
    sock8::beast::client client(io.ioc, core,
                                client_options_for(server.port()));
    client.start();

    ASSERT_TRUE(eventually([&] { return core.got("from-advance"); }));
    std::lock_guard lock(core.m);
    EXPECT_GE(core.advances, 1);
}

TEST(beast_client, reconnects_with_backoff_after_the_server_restarts)
{
    test_server_core first_core;
    test_server_core second_core;
    test_client_core core;
    io_threads io;
    auto first = std::make_unique<sock8::beast::server<test_server_core>>(
        io.ioc, first_core, server_options_for());
    auto const port = first->port();
    sock8::beast::client client(io.ioc, core, client_options_for(port));
    client.start();
    ASSERT_TRUE(eventually([&] { return core.opened() == 1; }));

    // The server says 1001: the client reconnects, finding nobody.
    stop(*first);
    first.reset();
    ASSERT_TRUE(eventually([&] { return core.closed() == 1; }));
    auto const attempts_at_drop = client.connection_attempts();
    std::this_thread::sleep_for(400ms);
    auto const failed = client.connection_attempts() - attempts_at_drop;

    // 10 ms doubling (with jitter down to half) gives a handful of tries
    // in 400 ms; a client without backoff would make thousands.
    EXPECT_GE(failed, 3u);
    EXPECT_LE(failed, 12u);
    EXPECT_EQ(core.opened(), 1);

    sock8::beast::server second(io.ioc, second_core,
                                server_options_for(port));
    ASSERT_TRUE(eventually([&] { return core.opened() == 2; }));
    EXPECT_TRUE(eventually([&] { return second_core.saw("receive 1"); }));
    stop(client);
    stop(second);
}

TEST(beast_client, a_close_from_the_server_core_reconnects)
{
    test_server_core server_core;
    test_client_core core;
    core.greetings = {"close"};
    io_threads io;
    sock8::beast::server server(io.ioc, server_core, server_options_for());
    sock8::beast::client client(io.ioc, core,
                                client_options_for(server.port()));
    client.start();

    // Each connection asks to be closed (1012), each close reconnects.
    EXPECT_TRUE(eventually([&] { return core.opened() >= 3; }));
    EXPECT_GE(core.closed(), 2);
    stop(client);
    stop(server);
}

TEST(beast_client, stop_closes_and_does_not_reconnect)
{
    test_server_core server_core;
    test_client_core core;
    io_threads io;
    sock8::beast::server server(io.ioc, server_core, server_options_for());
    sock8::beast::client client(io.ioc, core,
                                client_options_for(server.port()));
    client.start();
    ASSERT_TRUE(eventually([&] { return core.got("hello"); }));

    stop(client);
    EXPECT_EQ(core.closed(), 1);
    EXPECT_FALSE(client.connected());
    EXPECT_TRUE(eventually([&] { return server_core.saw("closed 1"); }));
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(server_core.opened_total(), 1u);
    EXPECT_EQ(client.connection_attempts(), 1u);
    stop(server);
}

TEST(beast_client, a_refused_connection_is_retried)
{
    test_server_core server_core;
    test_client_core core;
    core.query = "token=bad&vsn=2.0.0";
    io_threads io;
    sock8::beast::server server(io.ioc, server_core, server_options_for());
    sock8::beast::client client(io.ioc, core,
                                client_options_for(server.port()));
    client.start();

    // 403 is not an open connection: the core hears neither opened nor
    // closed, and the transport keeps trying with backoff.
    ASSERT_TRUE(eventually([&] { return server_core.refused >= 2; }));
    EXPECT_EQ(core.opened(), 0);
    EXPECT_EQ(core.closed(), 0);
    {
        std::lock_guard lock(core.m);
        core.query = "token=good&vsn=2.0.0";
    }
    EXPECT_TRUE(eventually([&] { return core.got("hello"); }));
    stop(client);
    stop(server);
}

namespace {

struct spot
{
    sock8::constrained<double, sock8::range<0.0, 1.0>> x;
};
BOOST_DESCRIBE_STRUCT(spot, (), (x))

struct note
{
    std::string text;
};
BOOST_DESCRIBE_STRUCT(note, (), (text))

using room = sock8::channel<"room.{id}", note, sock8::presence<spot>>;
using room_tree = sock8::tree<room>;

} // namespace

TEST(beast_client, a_posted_push_times_out_counting_from_when_it_was_posted)
{
    sock8::server<room_tree> server_core;
    server_core.on_connect([](sock8::authorization<room_tree>& auth) {
        auth.identify_as("user:a");
        auth.grant<room>();
    });
    sock8::client<room_tree> core(
        {.heartbeat_interval = 60s, .push_timeout = 300ms});
    io_threads io;
    sock8::beast::server server(io.ioc, server_core, server_options_for());
    sock8::beast::client client(io.ioc, core,
                                client_options_for(server.port()));

    std::mutex m;
    std::vector<std::string> errors;
    bool joined = false;
    bool saw_update = false;
    std::size_t others = 0;
    client.post([&](sock8::client<room_tree>& c) {
        auto& sub = c.subscribe(room::topic("r1"));
        sub.on_joined([&] {
            std::lock_guard lock(m);
            joined = true;
        });
        sub.on_error([&](sock8::subscription_error const& e) {
            std::lock_guard lock(m);
            errors.push_back(e.reason);
        });
        auto& p = sub.presence();
        p.on_sync([&] {
            std::lock_guard lock(m);
            others = p.others().size();
            for (auto const& [key, entries] : p.roster())
                for (auto const& e : entries)
                    if (e.record.x.value() == 0.5)
                        saw_update = true;
        });
    });
    client.start();
    ASSERT_TRUE(eventually([&] {
        std::lock_guard lock(m);
        return joined;
    }));

    // Quiet for longer than push_timeout: the core hears nothing, then
    // the application pushes. The server answers within milliseconds, so
    // the push must not time out, and the reply's ref marks the new
    // record as this connection's own.
    std::this_thread::sleep_for(600ms);
    client.post([](sock8::client<room_tree>& c) {
        c.subscribe(room::topic("r1")).presence().update(spot{0.5});
    });
    ASSERT_TRUE(eventually([&] {
        std::lock_guard lock(m);
        return saw_update;
    }));
    std::this_thread::sleep_for(100ms);
    {
        std::lock_guard lock(m);
        EXPECT_TRUE(errors.empty()) << errors.front();
        EXPECT_EQ(others, 0u);
    }
    stop(client);
    stop(server);
}
