//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_TESTS_CORE_CHAT_APP_HPP
#define SOCK8_TESTS_CORE_CHAT_APP_HPP

// The channel tree the core tests share: a chat room with presence, an
// admin channel without presence, and constraints on both.

#include <sock8/channels.hpp>
#include <sock8/constraints.hpp>

#include <boost/describe.hpp>

#include <optional>
#include <string>

namespace chat_app {

struct point
{
    sock8::constrained<double, sock8::range<0.0, 1.0>> x;
    sock8::constrained<double, sock8::range<0.0, 1.0>> y;

    friend bool operator==(point const&, point const&) = default;
};
BOOST_DESCRIBE_STRUCT(point, (), (x, y))

struct presence
{
    bool typing = false;
    std::optional<point> cursor;

    friend bool operator==(presence const&, presence const&) = default;
};
BOOST_DESCRIBE_STRUCT(presence, (), (typing, cursor))

struct message
{
    sock8::constrained<std::string, sock8::length<1, 64>> sender;
    sock8::constrained<std::string, sock8::length<1, 2000>> text;

    friend bool operator==(message const&, message const&) = default;
};
BOOST_DESCRIBE_STRUCT(message, (), (sender, text))

using room = sock8::channel<"chat.{roomId}.messages", message,
                            sock8::presence<presence>>;
using logs = sock8::channel<"admin.logs", message>;
using app = sock8::tree<room, logs>;

} // namespace chat_app

#endif
