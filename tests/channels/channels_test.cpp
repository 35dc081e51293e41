//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#include <sock8/channels.hpp>

#include <gtest/gtest.h>

namespace {

struct msg
{
};

using a = sock8::channel<"a.{x}", msg>;
using b = sock8::channel<"b", msg>;
using app = sock8::tree<a, sock8::mount<"m", sock8::tree<b>>>;

TEST(channels_umbrella, brings_every_channels_header)
{
    using namespace sock8::literals;
    auto const t = a::topic("x"_param = "1");

    EXPECT_EQ(app::find(t.str()).value(), app::index_of<a>);
    EXPECT_EQ(app::find("m.b").value(), 1u);
    EXPECT_EQ(sock8::path<"a.{x}">::parameter_count, 1u);
    EXPECT_EQ(sock8::fixed_string("ab").size(), 2u);
}

} // namespace
