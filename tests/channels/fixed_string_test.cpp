//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#include <sock8/fixed_string.hpp>

#include <gtest/gtest.h>

#include <string_view>
#include <type_traits>

namespace {

template <sock8::fixed_string S>
struct tag
{
    static constexpr std::string_view text = S.view();
};

TEST(channels_fixed_string, deduces_length_without_nul)
{
    constexpr sock8::fixed_string s = "chat";

    static_assert(std::is_same_v<decltype(s), sock8::fixed_string<4> const>);
    EXPECT_EQ(s.size(), 4u);
    EXPECT_EQ(s.view(), "chat");
    EXPECT_EQ(s.value[4], '\0');
}

TEST(channels_fixed_string, works_as_template_argument)
{
    EXPECT_EQ(tag<"a.{b}">::text, "a.{b}");
    EXPECT_TRUE((std::is_same_v<tag<"x">, tag<"x">>));
    EXPECT_FALSE((std::is_same_v<tag<"x">, tag<"y">>));
}

TEST(channels_fixed_string, concatenation_and_equality)
{
    constexpr auto joined = sock8::fixed_string("org") +
                            sock8::fixed_string(".") +
                            sock8::fixed_string("chat");

    EXPECT_EQ(joined.view(), "org.chat");
    EXPECT_EQ(joined.size(), 8u);
    EXPECT_TRUE(joined == sock8::fixed_string("org.chat"));
    EXPECT_FALSE(joined == sock8::fixed_string("org"));
    EXPECT_TRUE((std::is_same_v<tag<joined>, tag<"org.chat">>));
}

} // namespace
