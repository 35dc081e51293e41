//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#include <sock8/constraints.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using name_t = sock8::constrained<std::string, sock8::length<1, 8>>;
using unit_t = sock8::constrained<double, sock8::range<0.0, 1.0>>;
using tags_t = sock8::constrained<std::vector<int>, sock8::items<0, 4>>;

TEST(constraints, bounds_are_readable)
{
    EXPECT_EQ((sock8::length<1, 8>::min), 1u);
    EXPECT_EQ((sock8::length<1, 8>::max), 8u);
    EXPECT_EQ((sock8::length<3>::max), sock8::unbounded);
    EXPECT_EQ((sock8::range<0.0, 1.0>::max), 1.0);
    EXPECT_EQ((sock8::range<-5, 5>::min), -5);
    EXPECT_EQ((sock8::items<2>::min), 2u);
}

TEST(constrained, holds_and_gives_access_to_the_value)
{
    name_t n = "ada";
    EXPECT_EQ(n.value(), "ada");
    EXPECT_EQ(*n, "ada");
    EXPECT_EQ(n->size(), 3u);
    std::string const& ref = n;
    EXPECT_EQ(ref, "ada");

    n = "grace";
    EXPECT_EQ(n, "grace");
    n->push_back('!');
    EXPECT_EQ(*n, "grace!");

    // assignment does not check: a record can be built step by step
    n = std::string(20, 'x');
    EXPECT_EQ(n->size(), 20u);
}

TEST(constrained, default_is_value_initialized)
{
    unit_t u;
    EXPECT_EQ(*u, 0.0);
    tags_t t;
    EXPECT_TRUE(t->empty());
}

TEST(constrained, compares_like_its_value)
{
    unit_t a = 0.25;
    unit_t b = 0.5;
    EXPECT_TRUE(a < b);
    EXPECT_FALSE(a == b);
    EXPECT_TRUE(a == unit_t(0.25));
    EXPECT_TRUE(a == 0.25);
    EXPECT_TRUE(0.25 == a);
    EXPECT_EQ(a <=> b, std::partial_ordering::less);

    tags_t t = std::vector<int>{1, 2};
    EXPECT_EQ(t, (std::vector<int>{1, 2}));
}

TEST(constrained, explicit_only_where_t_is)
{
    static_assert(std::is_convertible_v<char const*, name_t>);
    static_assert(!std::is_convertible_v<std::size_t, tags_t>);
    static_assert(std::is_constructible_v<tags_t, std::size_t>);
    tags_t t(std::size_t{3});
    EXPECT_EQ(t->size(), 3u);
}

} // namespace
