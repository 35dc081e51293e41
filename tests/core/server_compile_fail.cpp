//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

// Misuse of the server that must not compile. Each case is compiled on
// its own by a CTest entry that expects the message in the comment.

#include <sock8/server.hpp>

#include "chat_app.hpp"

using namespace chat_app;

struct other
{
    int n = 0;
};
BOOST_DESCRIBE_STRUCT(other, (), (n))

using elsewhere = sock8::channel<"elsewhere", message>;

void misuse(sock8::server<app>& server)
{
    (void)server;

#if defined(SOCK8_CASE_ROSTER_WITHOUT_PRESENCE)
    // "sock8: this channel has no presence schema"
    (void)server.roster_of(logs::topic());
#endif

#if defined(SOCK8_CASE_EMIT_WRONG_MESSAGE)
    // "sock8: emit takes the message type the channel declares"
    server.emit(room::topic("lobby"), other{});
#endif

#if defined(SOCK8_CASE_EMIT_NOT_IN_TREE)
    // "sock8: this channel is not part of the server's tree"
    server.emit(elsewhere::topic(), message{});
#endif

#if defined(SOCK8_CASE_SERVER_SUBSCRIBE)
    // "sock8: servers do not subscribe"
    server.subscribe(room::topic("lobby"));
#endif

#if defined(SOCK8_CASE_GRANT_NOT_IN_TREE)
    // "sock8: this channel is not part of the server's tree"
    server.on_connect([](sock8::authorization<app>& auth) {
        auth.grant<elsewhere>();
    });
#endif
}

int main() {}
