//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#include <sock8/topic.hpp>

#include <sock8/channel.hpp>
#include <sock8/error.hpp>

#include <boost/system/system_error.hpp>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>

namespace {

using namespace sock8::literals;

struct msg
{
};

using chat = sock8::channel<"chat.{roomId}.messages", msg>;
using dm = sock8::channel<"dm.{from}.{to}", msg>;
using feed = sock8::channel<"feed", msg>;

TEST(channels_topic, formats_positional_values)
{
    auto const t = chat::topic("lobby");

    EXPECT_EQ(t.str(), "chat.lobby.messages");
    EXPECT_EQ(t.param(0), "lobby");
    EXPECT_EQ(t.param<"roomId">(), "lobby");
    EXPECT_EQ(feed::topic().str(), "feed");
    EXPECT_EQ(dm::topic("ann", "bob").str(), "dm.ann.bob");
}

TEST(channels_topic, named_values_in_any_order)
{
    auto const a = dm::topic("to"_param = "bob", "from"_param = "ann");
    auto const b =
        dm::topic(sock8::param<"from">("ann"), sock8::param<"to">("bob"));

    EXPECT_EQ(a.str(), "dm.ann.bob");
    EXPECT_EQ(a, b);
    EXPECT_EQ(a, dm::topic("ann", "bob"));
    EXPECT_EQ(a.param<"from">(), "ann");
    EXPECT_EQ(a.param<"to">(), "bob");
}

TEST(channels_topic, accepts_string_view_convertible_values)
{
    std::string const room = "room-7";
    std::string_view const view = "x";

    EXPECT_EQ(chat::topic(room).str(), "chat.room-7.messages");
    EXPECT_EQ(chat::topic(view).str(), "chat.x.messages");
    EXPECT_EQ(chat::topic("roomId"_param = room).str(), "chat.room-7.messages");
}

TEST(channels_topic, every_allowed_character)
{
    std::string const all = "azAZ09_-:@~+=!";

    EXPECT_EQ(chat::topic(all).param(0), all);
}

TEST(channels_topic, length_limit_is_128_bytes)
{
    std::string const at_limit(128, 'a');
    std::string const over(129, 'a');

    EXPECT_TRUE(chat::try_topic(at_limit));
    EXPECT_EQ(chat::try_topic(over).error(), sock8::error::parameter_too_long);
}

TEST(channels_topic, try_topic_reports_each_error)
{
    EXPECT_EQ(chat::try_topic("").error(), sock8::error::empty_parameter);
    EXPECT_EQ(chat::try_topic("a.b").error(),
              sock8::error::invalid_parameter_character);
    EXPECT_EQ(chat::try_topic("a b").error(),
              sock8::error::invalid_parameter_character);
    EXPECT_EQ(chat::try_topic("{x}").error(),
              sock8::error::invalid_parameter_character);
    EXPECT_EQ(chat::try_topic(std::string_view("a\0b", 3)).error(),
              sock8::error::invalid_parameter_character);
    EXPECT_EQ(chat::try_topic("\xc3\xa9").error(),
              sock8::error::invalid_parameter_character);
    EXPECT_TRUE(chat::try_topic("ok"));
}

TEST(channels_topic, failure_names_the_parameter)
{
    sock8::parameter_error f;

    auto r = dm::try_topic(f, "ann", "");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), sock8::error::empty_parameter);
    EXPECT_EQ(f.code, sock8::error::empty_parameter);
    EXPECT_EQ(f.index, 1u);
    EXPECT_EQ(f.name, "to");
    EXPECT_EQ(f.value, "");

    r = dm::try_topic(f, "from"_param = "a/b", "to"_param = "bob");
    ASSERT_FALSE(r);
    EXPECT_EQ(f.code, sock8::error::invalid_parameter_character);
    EXPECT_EQ(f.index, 0u);
    EXPECT_EQ(f.name, "from");
    EXPECT_EQ(f.value, "a/b");
    EXPECT_EQ(f.message(), "parameter \"from\" = \"a/b\": parameter value "
                           "has a character that is not allowed");

    r = dm::try_topic(f, "ann", std::string(200, 'z'));
    ASSERT_FALSE(r);
    EXPECT_EQ(f.code, sock8::error::parameter_too_long);
    EXPECT_EQ(f.name, "to");
    EXPECT_EQ(f.value, std::string(64, 'z'));
}

TEST(channels_topic, message_escapes_unprintable_bytes)
{
    sock8::parameter_error f;

    ASSERT_FALSE(chat::try_topic(f, "a\"\n"));
    EXPECT_EQ(f.subject(), "parameter \"roomId\" = \"a\\x22\\x0a\"");
}

template <class F>
std::string thrown_what(F f)
{
    try {
        f();
    } catch (boost::system::system_error const& e) {
        return e.what();
    }
    return "nothing thrown";
}

TEST(channels_topic, throwing_form_names_parameter_and_value)
{
    std::string const empty = thrown_what([] { chat::topic(""); });
    std::string const bad = thrown_what([] { dm::topic("ann", "b.o"); });
    std::string const longer =
        thrown_what([] { chat::topic(std::string(130, 'q')); });

    EXPECT_NE(empty.find("parameter \"roomId\" = \"\""), std::string::npos);
    EXPECT_NE(empty.find("parameter value is empty"), std::string::npos);
    EXPECT_NE(bad.find("parameter \"to\" = \"b.o\""), std::string::npos);
    EXPECT_NE(bad.find("dm.{from}.{to}"), std::string::npos);
    EXPECT_NE(longer.find("too long"), std::string::npos);

    try {
        dm::topic("ann", "");
        FAIL() << "no exception";
    } catch (boost::system::system_error const& e) {
        EXPECT_EQ(e.code(), sock8::error::empty_parameter);
    }
}

TEST(channels_topic, parse_round_trip)
{
    auto const made = dm::topic("ann", "bob-2");
    auto const parsed = dm::parse_topic(made.str());

    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, made);
    EXPECT_EQ(parsed->param<"from">(), "ann");
    EXPECT_EQ(parsed->param<"to">(), "bob-2");
    EXPECT_EQ(feed::parse_topic("feed")->str(), "feed");
}

TEST(channels_topic, parse_refuses_other_shapes)
{
    EXPECT_EQ(chat::parse_topic("chat.lobby").error(),
              sock8::error::unmatched_topic);
    EXPECT_EQ(chat::parse_topic("chat.lobby.messages.x").error(),
              sock8::error::unmatched_topic);
    EXPECT_EQ(chat::parse_topic("chat.lobby.message").error(),
              sock8::error::unmatched_topic);
    EXPECT_EQ(chat::parse_topic("").error(), sock8::error::unmatched_topic);
    EXPECT_EQ(feed::parse_topic("feeds").error(),
              sock8::error::unmatched_topic);
}

TEST(channels_topic, parse_checks_values)
{
    sock8::parameter_error f;

    EXPECT_EQ(chat::parse_topic("chat..messages", f).error(),
              sock8::error::empty_parameter);
    EXPECT_EQ(f.name, "roomId");
    EXPECT_EQ(chat::parse_topic("chat.a b.messages", f).error(),
              sock8::error::invalid_parameter_character);
    EXPECT_EQ(f.value, "a b");
    EXPECT_EQ(chat::parse_topic("x.y", f).error(),
              sock8::error::unmatched_topic);
    EXPECT_TRUE(f.name.empty());
    EXPECT_EQ(f.message(), "topic \"x.y\": unmatched topic");
}

TEST(channels_topic, ordered_and_comparable)
{
    std::set<sock8::topic<chat>> s;

    s.insert(chat::topic("b"));
    s.insert(chat::topic("a"));
    s.insert(chat::topic("b"));
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s.begin()->param(0), "a");
    EXPECT_NE(chat::topic("a"), chat::topic("b"));
}

TEST(channels_topic, errors_are_parameter_violations)
{
    auto const r = chat::try_topic("");

    EXPECT_EQ(r.error(), sock8::condition::parameter_violation);
}

} // namespace
