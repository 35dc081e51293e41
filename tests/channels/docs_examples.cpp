//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

// The examples of docs/channels.md, compiled and run. Keep the two in step:
// each block below is copied verbatim from the section named above it.

#include <sock8/channels.hpp>

#include <gtest/gtest.h>

#include <string>

namespace docs {

// [Declaring channels]
struct chat_message
{
    std::string text;
};

struct chat_presence
{
    bool typing = false;
};

struct cursor_position
{
    double x = 0, y = 0;
};

using chat = sock8::channel<"chat.{roomId}.messages", chat_message,
                            sock8::presence<chat_presence>>;
using cursors = sock8::channel<"doc.{docId}.cursors", cursor_position>;
using announcements = sock8::channel<"announcements", chat_message>;
// [Declaring channels]

// [Trees and mounts]
using workspace = sock8::tree<chat, cursors>;
using app = sock8::tree<announcements,
                        sock8::mount<"org.{orgId}", workspace>>;

using org_chat = sock8::mounted_t<"org.{orgId}", chat>;
static_assert(org_chat::path == "org.{orgId}.chat.{roomId}.messages");
static_assert(app::size == 3);
static_assert(app::contains<org_chat> && !app::contains<chat>);
// [Trees and mounts]

} // namespace docs

namespace {

using namespace docs;

TEST(channels_docs, topics)
{
    // [Topics]
    using namespace sock8::literals;

    auto lobby = chat::topic("lobby");                    // positional
    auto same = chat::topic("roomId"_param = "lobby");    // named
    auto again = chat::topic(sock8::param<"roomId">("lobby"));

    // lobby.str() == "chat.lobby.messages"
    // lobby.param<"roomId">() == "lobby"

    auto bad = chat::try_topic("no spaces");  // no exception
    // bad.error() == sock8::error::invalid_parameter_character

    auto parsed = chat::parse_topic("chat.lobby.messages");
    // *parsed == lobby
    // [Topics]

    EXPECT_EQ(lobby.str(), "chat.lobby.messages");
    EXPECT_EQ(lobby.param<"roomId">(), "lobby");
    EXPECT_EQ(lobby, same);
    EXPECT_EQ(lobby, again);
    EXPECT_EQ(bad.error(), sock8::error::invalid_parameter_character);
    EXPECT_EQ(*parsed, lobby);
}

TEST(channels_docs, matching)
{
    // [Matching]
    sock8::parameter_error failure;
    auto index = app::find("org.acme.chat.lobby.messages", failure);

    if (index) {
        app::with_channel(*index, [&](auto c) {
            using channel = typename decltype(c)::type;
            auto topic = channel::parse_topic("org.acme.chat.lobby.messages");
            // topic->param<"orgId">() == "acme"
            (void)topic;
        });
    } else {
        // failure.message(), e.g.
        // parameter "roomId" = "a b": parameter value has a character ...
    }
    // [Matching]

    ASSERT_TRUE(index);
    EXPECT_EQ(*index, app::index_of<org_chat>);
    EXPECT_EQ(org_chat::parse_topic("org.acme.chat.lobby.messages")
                  ->param<"orgId">(),
              "acme");
    EXPECT_EQ(app::find("org.acme.chat.a b.messages", failure).error(),
              sock8::error::invalid_parameter_character);
    EXPECT_EQ(failure.message(), "parameter \"roomId\" = \"a b\": parameter "
                                 "value has a character that is not allowed");
}

} // namespace
