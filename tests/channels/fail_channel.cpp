//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

// Channel declarations and presence uses that must not compile; see
// fail_path.cpp for how the cases are run.

#include <sock8/channel.hpp>

#include <cstddef>

struct msg
{
};

struct pres
{
};

struct not_an_option
{
};

using with_presence = sock8::channel<"room.{id}", msg, sock8::presence<pres>>;
using without_presence = sock8::channel<"feed", msg>;

#if defined(SOCK8_FAIL_MESSAGE_NOT_CLASS)
using bad = sock8::channel<"feed", int>;
#elif defined(SOCK8_FAIL_UNKNOWN_OPTION)
using bad = sock8::channel<"feed", msg, not_an_option>;
#elif defined(SOCK8_FAIL_TWO_PRESENCE_OPTIONS)
using bad =
    sock8::channel<"feed", msg, sock8::presence<pres>, sock8::presence<msg>>;
#elif defined(SOCK8_FAIL_PRESENCE_NOT_CLASS)
using bad = sock8::channel<"feed", msg, sock8::presence<int>>;
#else
using bad = with_presence;
#endif

std::size_t use()
{
    return bad::parameter_count;
}

void presence_api()
{
    sock8::require_presence<with_presence>();
#if defined(SOCK8_FAIL_REQUIRE_PRESENCE)
    sock8::require_presence<without_presence>();
#endif
}
