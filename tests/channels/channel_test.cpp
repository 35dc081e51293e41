//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#include <sock8/channel.hpp>

#include <gtest/gtest.h>

#include <string>
#include <type_traits>

namespace {

struct chat_message
{
    std::string text;
};

struct chat_presence
{
    bool typing = false;
};

using chat = sock8::channel<"chat.{roomId}.messages", chat_message,
                            sock8::presence<chat_presence>>;
using feed = sock8::channel<"feed", chat_message>;
using dm = sock8::channel<"dm.{from}.{to}", chat_message>;

TEST(channels_channel, exposes_path_and_types)
{
    EXPECT_EQ(chat::path, "chat.{roomId}.messages");
    EXPECT_TRUE((std::is_same_v<chat::message_type, chat_message>));
    EXPECT_TRUE((std::is_same_v<sock8::message_type_t<chat>, chat_message>));
    EXPECT_TRUE((std::is_same_v<sock8::presence_type_t<chat>, chat_presence>));
}

TEST(channels_channel, presence_is_optional)
{
    EXPECT_TRUE(chat::has_presence);
    EXPECT_TRUE(sock8::has_presence_v<chat>);
    EXPECT_FALSE(sock8::has_presence_v<feed>);
    EXPECT_TRUE((std::is_void_v<sock8::presence_type_t<feed>>));
}

TEST(channels_channel, parameter_names)
{
    EXPECT_EQ(feed::parameter_count, 0u);
    EXPECT_EQ(chat::parameter_count, 1u);
    EXPECT_EQ(chat::parameter_names[0], "roomId");
    ASSERT_EQ(dm::parameter_count, 2u);
    EXPECT_EQ(dm::parameter_names[0], "from");
    EXPECT_EQ(dm::parameter_names[1], "to");
}

TEST(channels_channel, channel_type_concept)
{
    EXPECT_TRUE(sock8::channel_type<chat>);
    EXPECT_TRUE(sock8::channel_type<feed>);
    EXPECT_FALSE(sock8::channel_type<chat_message>);
    EXPECT_FALSE(sock8::channel_type<int>);
}

TEST(channels_channel, require_presence_accepts_presence_channels)
{
    constexpr bool ok = [] {
        sock8::require_presence<chat>();
        return true;
    }();
    EXPECT_TRUE(ok);
}

TEST(channels_channel, same_declaration_is_same_type)
{
    using again = sock8::channel<"chat.{roomId}.messages", chat_message,
                                 sock8::presence<chat_presence>>;
    EXPECT_TRUE((std::is_same_v<chat, again>));
    EXPECT_FALSE((std::is_same_v<chat, feed>));
}

} // namespace
