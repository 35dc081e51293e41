//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

// Misuse of the client that must not compile. Each case sits behind its
// macro; without any macro the file compiles (the control test).

#include <sock8/client.hpp>

#include <boost/describe.hpp>

#include <string>

namespace {

struct note
{
    std::string text;
};
BOOST_DESCRIBE_STRUCT(note, (), (text))

struct pointer
{
    double x = 0;
};
BOOST_DESCRIBE_STRUCT(pointer, (), (x))

struct elsewhere
{
    double x = 0;
};
BOOST_DESCRIBE_STRUCT(elsewhere, (), (x))

using chat = sock8::channel<"chat.{roomId}", note>;
using board = sock8::channel<"board.{boardId}", note, sock8::presence<pointer>>;
using other = sock8::channel<"other.{id}", note>;
using app = sock8::tree<chat, board>;

[[maybe_unused]] void use()
{
    sock8::client<app> c;
    auto& b = c.subscribe(board::topic("b1"));
    b.presence().set<&pointer::x>(0.5);

#if defined(SOCK8_CASE_PRESENCE_WITHOUT_SCHEMA)
    c.subscribe(chat::topic("lobby")).presence();
#endif

#if defined(SOCK8_CASE_CLIENT_EMIT)
    c.emit(chat::topic("lobby"), note{"hi"});
#endif

#if defined(SOCK8_CASE_SUBSCRIPTION_EMIT)
    c.subscribe(chat::topic("lobby")).emit(note{"hi"});
#endif

#if defined(SOCK8_CASE_NOT_IN_TREE)
    c.subscribe(other::topic("x"));
#endif

#if defined(SOCK8_CASE_SET_OTHER_STRUCT)
    b.presence().set<&elsewhere::x>(0.5);
#endif
}

} // namespace
