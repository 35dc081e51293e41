//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

// The README's example, compiled and run as written.

#include <sock8/sock8.hpp>

#include <gtest/gtest.h>

namespace readme {

struct point { sock8::constrained<double, sock8::range<0.0, 1.0>> x, y; };
BOOST_DESCRIBE_STRUCT(point, (), (x, y))

struct chat_presence { bool typing = false; std::optional<point> cursor; };
BOOST_DESCRIBE_STRUCT(chat_presence, (), (typing, cursor))

struct chat_message {
    sock8::constrained<std::string, sock8::length<1, 64>> sender;
    sock8::constrained<std::string, sock8::length<1, 2000>> text;
};
BOOST_DESCRIBE_STRUCT(chat_message, (), (sender, text))

using room = sock8::channel<"chat.{roomId}.messages", chat_message,
                            sock8::presence<chat_presence>>;
using app = sock8::tree<room>;

} // namespace readme

TEST(readme, the_example_compiles_and_runs)
{
    using namespace readme;
    // Server: nothing is public until the connect hook grants it.
    sock8::server<app> server;
    server.on_connect([](sock8::authorization<app>& auth) {
        auth.identify_as("user:" + std::string(auth.request().query_value("name")));
        auth.grant<room>();
    });
    server.emit(room::topic("lobby"), chat_message{"ada", "hello"});

    // Client: subscribes and manages its presence; it cannot emit.
    sock8::client<app> client({.params = {{"name", "bob"}}});
    auto& lobby = client.subscribe(room::topic("lobby"));
    lobby.on_message([](chat_message const&) { /* validated already */ });
    lobby.presence().set<&chat_presence::typing>(true);

    EXPECT_EQ(lobby.topic().str(), "chat.lobby.messages");
    EXPECT_TRUE(lobby.presence().self().typing);
}
