//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#include <sock8/path.hpp>

#include <gtest/gtest.h>

#include <string_view>

namespace {

using p = sock8::path<"org.{orgId}.chat.{room_2}.messages">;

TEST(channels_path, segment_table)
{
    ASSERT_EQ(p::segment_count, 5u);
    EXPECT_EQ(p::segments[0], (sock8::segment{"org", false}));
    EXPECT_EQ(p::segments[1], (sock8::segment{"orgId", true}));
    EXPECT_EQ(p::segments[2], (sock8::segment{"chat", false}));
    EXPECT_EQ(p::segments[3], (sock8::segment{"room_2", true}));
    EXPECT_EQ(p::segments[4], (sock8::segment{"messages", false}));
    EXPECT_EQ(p::pattern, "org.{orgId}.chat.{room_2}.messages");
}

TEST(channels_path, parameter_names_in_order)
{
    ASSERT_EQ(p::parameter_count, 2u);
    EXPECT_EQ(p::parameter_names[0], "orgId");
    EXPECT_EQ(p::parameter_names[1], "room_2");
    EXPECT_EQ(p::parameter_index("orgId"), 0u);
    EXPECT_EQ(p::parameter_index("room_2"), 1u);
    EXPECT_EQ(p::parameter_index("chat"), p::parameter_count);
}

TEST(channels_path, static_only_and_single_segment)
{
    using s = sock8::path<"status">;
    using q = sock8::path<"{id}">;

    EXPECT_EQ(s::segment_count, 1u);
    EXPECT_EQ(s::parameter_count, 0u);
    EXPECT_EQ(q::segment_count, 1u);
    EXPECT_EQ(q::parameter_names[0], "id");
}

TEST(channels_path, static_segments_accept_the_documented_set)
{
    using s = sock8::path<"a_b-c:d@e~f+g=h!.Z9">;

    EXPECT_EQ(s::segment_count, 2u);
    EXPECT_EQ(s::segments[0].text, "a_b-c:d@e~f+g=h!");
}

} // namespace
