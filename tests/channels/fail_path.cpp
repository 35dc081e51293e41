//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

// Path patterns that must not compile. Each case is built by
// tests/channels/CMakeLists.txt with its macro defined; without any macro
// the file compiles (the control test).

#include <sock8/channel.hpp>

#include <cstddef>

struct msg
{
};

#if defined(SOCK8_FAIL_EMPTY_PATH)
using bad = sock8::channel<"", msg>;
#elif defined(SOCK8_FAIL_LEADING_DOT)
using bad = sock8::channel<".chat", msg>;
#elif defined(SOCK8_FAIL_TRAILING_DOT)
using bad = sock8::channel<"chat.", msg>;
#elif defined(SOCK8_FAIL_DOUBLE_DOT)
using bad = sock8::channel<"chat..messages", msg>;
#elif defined(SOCK8_FAIL_UNCLOSED_BRACE)
using bad = sock8::channel<"chat.{roomId", msg>;
#elif defined(SOCK8_FAIL_STRAY_BRACE)
using bad = sock8::channel<"chat.roomId}", msg>;
#elif defined(SOCK8_FAIL_NESTED_BRACE)
using bad = sock8::channel<"chat.{{roomId}}", msg>;
#elif defined(SOCK8_FAIL_MIXED_BRACE)
using bad = sock8::channel<"chat.room{roomId}", msg>;
#elif defined(SOCK8_FAIL_MIXED_BRACE_AFTER)
using bad = sock8::channel<"chat.{roomId}x", msg>;
#elif defined(SOCK8_FAIL_EMPTY_NAME)
using bad = sock8::channel<"chat.{}", msg>;
#elif defined(SOCK8_FAIL_NAME_STARTS_WITH_DIGIT)
using bad = sock8::channel<"chat.{1room}", msg>;
#elif defined(SOCK8_FAIL_NAME_WITH_DASH)
using bad = sock8::channel<"chat.{room-id}", msg>;
#elif defined(SOCK8_FAIL_STATIC_CHARACTER)
using bad = sock8::channel<"chat room", msg>;
#elif defined(SOCK8_FAIL_REPEATED_PARAMETER)
using bad = sock8::channel<"dm.{user}.{user}", msg>;
#else
using bad = sock8::channel<"chat.{roomId}.messages", msg>;
#endif

std::size_t use()
{
    return bad::parameter_count;
}
