//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

// Trees that must not compile; see fail_path.cpp for how the cases are
// run.

#include <sock8/tree.hpp>

#include <cstddef>

struct msg
{
};

using room = sock8::channel<"chat.{roomId}", msg>;
using typing = sock8::channel<"chat.{roomId}.typing", msg>;
using lobby = sock8::channel<"chat.lobby.all", msg>;
using sub = sock8::tree<room, typing>;

#if defined(SOCK8_FAIL_LISTED_TWICE)
using bad = sock8::tree<room, typing, room>;
#elif defined(SOCK8_FAIL_AMBIGUOUS_STATIC_VS_PARAMETER)
using bad = sock8::tree<room, sock8::channel<"chat.lobby", msg>>;
#elif defined(SOCK8_FAIL_AMBIGUOUS_PARAMETERS)
using bad =
    sock8::tree<sock8::channel<"a.{x}.b", msg>, sock8::channel<"a.c.{y}", msg>>;
#elif defined(SOCK8_FAIL_AMBIGUOUS_THROUGH_MOUNT)
using bad = sock8::tree<sock8::channel<"org.{o}.chat.{r}", msg>,
                        sock8::mount<"org.{orgId}", sub>>;
#elif defined(SOCK8_FAIL_REPEATED_ACROSS_MOUNT)
using bad = sock8::tree<sock8::mount<"chat.{roomId}", sub>>;
#elif defined(SOCK8_FAIL_BAD_MOUNT_PREFIX)
using bad = sock8::tree<sock8::mount<"org.", sub>>;
#elif defined(SOCK8_FAIL_NOT_AN_ENTRY)
using bad = sock8::tree<room, msg>;
#elif defined(SOCK8_FAIL_MOUNT_NOT_A_TREE)
using bad = sock8::tree<sock8::mount<"org", room>>;
#else
using bad = sock8::tree<lobby, room, typing, sock8::mount<"org.{orgId}", sub>>;
#endif

std::size_t use()
{
    return bad::size;
}

std::size_t index()
{
    std::size_t i = sub::index_of<typing>;
#if defined(SOCK8_FAIL_INDEX_OF_ABSENT)
    i += sub::index_of<lobby>;
#endif
    return i;
}

int dispatch()
{
    auto const f = [](auto) {
        return 1;
    };
    int n = sub::with_channel(0, f);
#if defined(SOCK8_FAIL_WITH_CHANNEL_EMPTY)
    n += sock8::tree<>::with_channel(0, f);
#endif
    return n;
}
