//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_EXAMPLES_LIVE_CURSORS_CHAT_CHANNELS_HPP
#define SOCK8_EXAMPLES_LIVE_CURSORS_CHAT_CHANNELS_HPP

// The demo's channels, declared once: the server (main.cpp) and every C++
// client (tests/interop/cpp_member.cpp) include this header, so both
// sides validate against the same types.

#include <sock8/channels.hpp>
#include <sock8/constraints.hpp>

#include <boost/describe/class.hpp>

#include <optional>
#include <string>

namespace live_cursors {

using name_text = sock8::constrained<std::string, sock8::length<1, 64>>;

struct chat_message
{
    name_text sender;
    sock8::constrained<std::string, sock8::length<1, 2000>> text;
};
BOOST_DESCRIBE_STRUCT(chat_message, (), (sender, text))

struct cursor_position
{
    sock8::constrained<double, sock8::range<0.0, 1.0>> x;
    sock8::constrained<double, sock8::range<0.0, 1.0>> y;
};
BOOST_DESCRIBE_STRUCT(cursor_position, (), (x, y))

// What every member shows the others; absent cursor: not over the page.
struct chat_presence
{
    bool typing = false;
    std::optional<cursor_position> cursor;
};
BOOST_DESCRIBE_STRUCT(chat_presence, (), (typing, cursor))

struct log_line
{
    std::string text;
};
BOOST_DESCRIBE_STRUCT(log_line, (), (text))

using chat_messages = sock8::channel<"chat.{roomId}.messages", chat_message,
                                     sock8::presence<chat_presence>>;

// Never granted: it is there so that a refused join can be seen.
using admin_logs = sock8::channel<"admin.logs", log_line>;

using app = sock8::tree<chat_messages, admin_logs>;

} // namespace live_cursors

#endif
