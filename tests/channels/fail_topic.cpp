//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

// Topic calls that must not compile; see fail_path.cpp for how the cases
// are run.

#include <sock8/topic.hpp>

#include <sock8/channel.hpp>

using namespace sock8::literals;

struct msg
{
};

using dm = sock8::channel<"dm.{from}.{to}", msg>;

void make()
{
    auto const ok = dm::topic("from"_param = "a", "to"_param = "b");
    (void)dm::topic("a", "b");
    (void)ok.param<"to">();

#if defined(SOCK8_FAIL_TOO_FEW_VALUES)
    (void)dm::topic("a");
#elif defined(SOCK8_FAIL_TOO_MANY_VALUES)
    (void)dm::try_topic("a", "b", "c");
#elif defined(SOCK8_FAIL_UNKNOWN_NAME)
    (void)dm::topic("from"_param = "a", "too"_param = "b");
#elif defined(SOCK8_FAIL_MISSING_NAME)
    (void)dm::topic(sock8::param<"from">("a"));
#elif defined(SOCK8_FAIL_NAMED_TWICE)
    (void)dm::topic("from"_param = "a", "from"_param = "b");
#elif defined(SOCK8_FAIL_MIXED_NAMED_POSITIONAL)
    (void)dm::topic("from"_param = "a", "b");
#elif defined(SOCK8_FAIL_VALUE_NOT_STRING)
    (void)dm::topic("a", 42);
#elif defined(SOCK8_FAIL_PARAM_ACCESS_UNKNOWN)
    (void)ok.param<"room">();
#endif
}
