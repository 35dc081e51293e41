//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#include <sock8/tree.hpp>

#include <sock8/channel.hpp>
#include <sock8/error.hpp>

#include <boost/mp11/list.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>

#include "../support/allocation_counter.hpp"

namespace {

struct msg
{
};

struct other
{
};

struct pres
{
};

using status = sock8::channel<"status", msg>;
using room = sock8::channel<"chat.{roomId}", msg, sock8::presence<pres>>;
using room_typing = sock8::channel<"chat.{roomId}.typing", other>;
using lobby_typing = sock8::channel<"chat.lobby.typing.all", other>;
using cursor = sock8::channel<"doc.{docId}.cursor.{userId}", other>;

using chat_tree = sock8::tree<room, room_typing>;
using org_tree = sock8::tree<sock8::mount<"team.{teamId}", chat_tree>, cursor>;
using app =
    sock8::tree<status, lobby_typing, sock8::mount<"org.{orgId}", org_tree>>;

using org_room =
    sock8::mounted_t<"org.{orgId}", sock8::mounted_t<"team.{teamId}", room>>;

TEST(channels_tree, mounted_t_prefixes_the_path)
{
    using m = sock8::mounted_t<"org.{orgId}", room>;

    EXPECT_EQ(m::path, "org.{orgId}.chat.{roomId}");
    EXPECT_TRUE((std::is_same_v<m::message_type, msg>));
    EXPECT_TRUE((std::is_same_v<m::presence_type, pres>));
    EXPECT_TRUE(
        (std::is_same_v<m, sock8::channel<"org.{orgId}.chat.{roomId}", msg,
                                          sock8::presence<pres>>>));
    EXPECT_EQ(org_room::path, "org.{orgId}.team.{teamId}.chat.{roomId}");
    EXPECT_EQ(org_room::parameter_count, 3u);
}

TEST(channels_tree, flattens_nested_mounts_in_order)
{
    using expected = boost::mp11::mp_list<
        status, lobby_typing, org_room,
        sock8::channel<"org.{orgId}.team.{teamId}.chat.{roomId}.typing", other>,
        sock8::channel<"org.{orgId}.doc.{docId}.cursor.{userId}", other>>;

    EXPECT_TRUE((std::is_same_v<app::channels, expected>));
    EXPECT_EQ(app::size, 5u);
    EXPECT_EQ(chat_tree::size, 2u);
    EXPECT_EQ(sock8::tree<>::size, 0u);
}

TEST(channels_tree, contains_and_index_of)
{
    EXPECT_TRUE(app::contains<status>);
    EXPECT_TRUE(app::contains<org_room>);
    EXPECT_FALSE(app::contains<room>);
    EXPECT_TRUE(chat_tree::contains<room>);
    EXPECT_EQ(app::index_of<status>, 0u);
    EXPECT_EQ(app::index_of<lobby_typing>, 1u);
    EXPECT_EQ(app::index_of<org_room>, 2u);
    EXPECT_EQ(chat_tree::index_of<room_typing>, 1u);
}

TEST(channels_tree, find_static_path)
{
    EXPECT_EQ(app::find("status").value(), app::index_of<status>);
    EXPECT_EQ(app::find("chat.lobby.typing.all").value(),
              app::index_of<lobby_typing>);
}

TEST(channels_tree, find_parameterized_path)
{
    EXPECT_EQ(chat_tree::find("chat.lobby").value(), 0u);
    EXPECT_EQ(chat_tree::find("chat.lobby.typing").value(), 1u);
}

TEST(channels_tree, find_mounted_and_deep_paths)
{
    EXPECT_EQ(app::find("org.acme.team.red.chat.lobby").value(), 2u);
    EXPECT_EQ(app::find("org.acme.team.red.chat.lobby.typing").value(), 3u);
    EXPECT_EQ(app::find("org.acme.doc.d1.cursor.u-9").value(), 4u);
}

TEST(channels_tree, find_agrees_with_topic)
{
    auto const t = org_room::topic("acme", "red", "lobby");

    EXPECT_EQ(app::find(t.str()).value(), app::index_of<org_room>);
}

TEST(channels_tree, unmatched_topics)
{
    for (std::string_view s :
         {"", "statuses", "status.x", "chat", "org.acme", "chat.lobby",
          "org.acme.team.red.chat", "org.acme.team.red.chat.lobby.typing.x",
          "a.b.c.d.e.f.g.h.i.j.k.l", "org.acme.doc.d1.cursors.u"}) {
        auto const r = app::find(s);
        ASSERT_FALSE(r) << s;
        EXPECT_EQ(r.error(), sock8::error::unmatched_topic) << s;
    }
    EXPECT_EQ(sock8::tree<>::find("status").error(),
              sock8::error::unmatched_topic);
}

TEST(channels_tree, find_reports_parameter_errors)
{
    sock8::parameter_error f;

    EXPECT_EQ(app::find("org..doc.d1.cursor.u", f).error(),
              sock8::error::empty_parameter);
    EXPECT_EQ(f.name, "orgId");
    EXPECT_EQ(f.index, 0u);

    EXPECT_EQ(app::find("org.acme.doc.d1.cursor.u%41", f).error(),
              sock8::error::invalid_parameter_character);
    EXPECT_EQ(f.name, "userId");
    EXPECT_EQ(f.index, 2u);
    EXPECT_EQ(f.value, "u%41");

    std::string const longer = "chat." + std::string(129, 'r');
    EXPECT_EQ(chat_tree::find(longer, f).error(),
              sock8::error::parameter_too_long);
    EXPECT_EQ(f.name, "roomId");

    EXPECT_EQ(app::find("nope", f).error(), sock8::error::unmatched_topic);
    EXPECT_EQ(f.value, "nope");
}

TEST(channels_tree, find_does_not_allocate_on_success)
{
    std::string const topics[] = {"status", "org.acme.team.red.chat.lobby",
                                  "org.acme.doc.d1.cursor.u-9"};
    std::size_t found = 0;

    std::size_t const before = allocations.load();
    for (int round = 0; round != 100; ++round)
        for (std::string const& t : topics)
            found += app::find(t).has_value();
    std::size_t const after = allocations.load();

    EXPECT_EQ(found, 300u);
    EXPECT_EQ(after, before);

    // The counter does see allocations: making a long topic allocates.
    auto const t = room::topic(std::string(64, 'x'));
    EXPECT_GT(allocations.load(), after);
}

TEST(channels_tree, with_channel_dispatches_on_index)
{
    for (std::size_t i = 0; i != app::size; ++i) {
        std::size_t const back = app::with_channel(
            i, []<class C>(std::type_identity<C>) { return app::index_of<C>; });
        EXPECT_EQ(back, i);
    }

    std::string_view const path = app::with_channel(
        *app::find("org.a.doc.b.cursor.c"),
        [](auto c) -> std::string_view { return decltype(c)::type::path; });
    EXPECT_EQ(path, "org.{orgId}.doc.{docId}.cursor.{userId}");

    bool const presence =
        app::with_channel(app::index_of<org_room>, [](auto c) {
            return sock8::has_presence_v<typename decltype(c)::type>;
        });
    EXPECT_TRUE(presence);
}

} // namespace
