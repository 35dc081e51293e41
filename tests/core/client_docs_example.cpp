//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

// The complete example of docs/client.md, compiled and run: a client and
// a server core joined by the in-process transport. Keep the two in step.

#include <sock8/client.hpp>

#include <sock8/in_process.hpp>
#include <sock8/server.hpp>

#include <boost/describe.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace docs {

// [example]
struct chat_message
{
    sock8::constrained<std::string, sock8::length<1, 280>> text;
    std::string author;
};
BOOST_DESCRIBE_STRUCT(chat_message, (), (text, author))

struct cursor
{
    sock8::constrained<double, sock8::range<0.0, 1.0>> x;
    sock8::constrained<double, sock8::range<0.0, 1.0>> y;
    bool typing = false;
};
BOOST_DESCRIBE_STRUCT(cursor, (), (x, y, typing))

using board =
    sock8::channel<"board.{boardId}", chat_message, sock8::presence<cursor>>;
using app = sock8::tree<board>;

struct screen
{
    std::vector<std::string> lines;
    std::size_t others = 0;
};

void watch_board(sock8::client<app>& c, screen& out)
{
    auto& sub = c.subscribe(board::topic("design"));
    auto& presence = sub.presence();

    // Sent with the join, and again with every rejoin.
    presence.update(cursor{0.5, 0.5, false});

    sub.on_message([&out](chat_message const& m) {
        out.lines.push_back(m.author + ": " + m.text.value());
    });
    sub.on_error([&out](sock8::subscription_error const& e) {
        out.lines.push_back("error: " + e.reason);
    });
    presence.on_join([&out](std::string const& key, auto const&) {
        out.lines.push_back(key + " joined");
    });
    presence.on_update(
        [&out](std::string const& key, auto const& before, auto const& now) {
            if (now.record.typing && !before.record.typing)
                out.lines.push_back(key + " is typing");
        });
    presence.on_leave([&out](std::string const& key, auto const&) {
        out.lines.push_back(key + " left");
    });
    presence.on_sync(
        [&out, &presence] { out.others = presence.others().size(); });
}
// [example]

} // namespace docs

namespace {

using namespace std::chrono_literals;

TEST(client_docs, example_runs_against_the_server_core)
{
    using namespace docs;

    sock8::server<app> server;
    server.on_connect([](sock8::authorization<app>& auth) {
        auth.identify_as("user:" +
                         std::string(auth.request().query_value("name")));
        auth.grant<board>();
    });
    sock8::in_process::hub hub(server);

    sock8::client<app> ada({.params = {{"name", "ada"}}});
    sock8::client<app> bob({.params = {{"name", "bob"}}});
    screen ada_screen, bob_screen;
    hub.connect(ada);
    auto const bob_link = hub.connect(bob);
    ASSERT_TRUE(bob_link);

    watch_board(ada, ada_screen);
    hub.run();
    watch_board(bob, bob_screen);
    hub.run();
    EXPECT_EQ(ada_screen.others, 1u);
    EXPECT_EQ(bob_screen.others, 1u);

    auto& bob_board = bob.subscribe(board::topic("design"));
    EXPECT_TRUE(bob_board.presence().set<&cursor::typing>(true));
    hub.advance(200ms);

    server.emit(board::topic("design"), chat_message{"hello", "server"});
    hub.run();

    // Bob's connection drops; the hub reconnects it and bob rejoins with
    // the record he had.
    hub.drop(*bob_link);
    hub.advance(200ms);
    hub.reconnect(*bob_link);
    hub.advance(1s);

    EXPECT_EQ(ada_screen.lines,
              (std::vector<std::string>{"user:ada joined", "user:bob joined",
                                        "user:bob is typing", "server: hello",
                                        "user:bob left", "user:bob joined"}));
    auto const others =
        ada.subscribe(board::topic("design")).presence().others();
    ASSERT_EQ(others.size(), 1u);
    ASSERT_EQ(others.at("user:bob").size(), 1u);
    EXPECT_TRUE(others.at("user:bob")[0].record.typing);
    EXPECT_TRUE(bob_board.presence().self().typing);
    EXPECT_EQ(bob_board.state(), sock8::subscription_state::joined);

    // Heartbeats keep both connections up while nothing else happens.
    hub.advance(120s);
    EXPECT_TRUE(ada.connected());
    EXPECT_TRUE(hub.connected(*bob_link));
}

} // namespace
