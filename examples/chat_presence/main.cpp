//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

// chat_presence: a chat room with typing indicators and cursors.
//
// One sock8::server and three sock8::client instances talk over the
// in-process transport, so the whole exchange runs in one process with
// simulated time. Every client prints the messages it receives and each
// change to the roster it sees; at the end each connected client's roster
// must equal the server's, or the program exits 1.

#include <sock8/client.hpp>
#include <sock8/in_process.hpp>
#include <sock8/server.hpp>

#include <boost/describe.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace std::chrono_literals;

// The channel, declared once as C++ types: both sides validate against it.
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
};
BOOST_DESCRIBE_STRUCT(message, (), (sender, text))

using room = sock8::channel<"chat.{roomId}.messages", message,
                            sock8::presence<presence>>;
using app = sock8::tree<room>;

// Keys are identities such as "user:ada"; people read the name.
std::string name_of(std::string const& key)
{
    return key.substr(key.find(':') + 1);
}

std::string describe(presence const& p)
{
    char cursor[48] = "no cursor";
    if (p.cursor)
        std::snprintf(cursor, sizeof cursor, "cursor (%.2f, %.2f)",
                      p.cursor->x.value(), p.cursor->y.value());
    return std::string(p.typing ? "typing, " : "idle, ") + cursor;
}

// One person in the room: a client core and what it prints.
struct person
{
    explicit person(std::string n)
        : name(n), client({.params = {{"name", std::move(n)}}})
    {
    }

    void enter()
    {
        sub = &client.subscribe(room::topic("lobby"));
        auto const tag = "[" + name + " sees] ";
        sub->on_message([this](message const& m) {
            std::printf("[%s got] %s: %s\n", name.c_str(),
                        m.sender.value().c_str(), m.text.value().c_str());
        });
        sub->presence()
            .on_join([tag](std::string const& key, auto const& e) {
                std::printf("%s%s joined: %s\n", tag.c_str(),
                            name_of(key).c_str(), describe(e.record).c_str());
            })
            .on_update(
                [tag](std::string const& key, auto const&, auto const& now) {
                    std::printf("%s%s: %s\n", tag.c_str(), name_of(key).c_str(),
                                describe(now.record).c_str());
                })
            .on_leave([tag](std::string const& key, auto const&) {
                std::printf("%s%s left\n", tag.c_str(), name_of(key).c_str());
            });
    }

    std::string name;
    sock8::client<app> client;
    sock8::subscription<room>* sub = nullptr;
    sock8::in_process::link_id link = 0;
};

// Entry order within one identity is not part of the contract.
sock8::roster<presence> sorted(sock8::roster<presence> r)
{
    for (auto& [key, entries] : r)
        std::sort(entries.begin(), entries.end(),
                  [](auto const& a, auto const& b) { return a.ref < b.ref; });
    return r;
}

int main()
{
    // Diffs are coalesced over 50 ms: a burst of cursor moves inside one
    // window reaches the others as its last position only.
    sock8::server<app> server({.presence_window = 50ms});

    // Nothing is public: the connect hook names each connection and
    // grants it the channels it may join.
    server.on_connect([](sock8::authorization<app>& auth) {
        auto const name = auth.request().query_value("name");
        if (name.empty())
            return auth.refuse("a name is required");
        auth.identify_as("user:" + std::string(name));
        auth.grant<room>();
    });
    server.on_leave<room>([](auto const& topic, auto const& who, auto why) {
        std::printf("[server] %s left %s (%s)\n",
                    std::string(who.identity).c_str(), topic.str().c_str(),
                    std::string(sock8::to_string(why)).c_str());
    });

    sock8::in_process::hub hub(server);
    std::vector<std::unique_ptr<person>> people;
    for (auto const* name : {"ada", "bob", "cat"}) {
        auto& p = *people.emplace_back(std::make_unique<person>(name));
        p.link = hub.connect(p.client).value();
        p.enter();
        hub.advance(100ms);
    }
    auto& ada = *people[0];
    auto& bob = *people[1];
    auto& cat = *people[2];

    std::puts("\n-- ada moves her cursor three times within one window");
    ada.sub->presence().set<&presence::cursor>(point{0.1, 0.1});
    ada.sub->presence().set<&presence::cursor>(point{0.15, 0.3});
    ada.sub->presence().set<&presence::cursor>(point{0.2, 0.4});
    hub.advance(100ms);

    std::puts("\n-- bob types, then stops");
    bob.sub->presence().set<&presence::typing>(true);
    hub.advance(100ms);
    bob.sub->presence().set<&presence::typing>(false);
    hub.advance(100ms);

    // Clients cannot emit; only the server does, validated and encoded
    // once for every subscriber.
    std::puts("\n-- the server emits a message");
    server.emit(room::topic("lobby"), message{"server", "welcome, all"});
    hub.advance(100ms);

    // No leave is sent: the server notices the closed connection and
    // takes cat's record out of the room for everyone.
    std::puts("\n-- cat's connection breaks");
    hub.drop(cat.link);
    hub.advance(100ms);

    std::puts("\n-- every connected client against the server");
    auto const truth = sorted(server.roster_of(room::topic("lobby")));
    int status = 0;
    for (auto const& p : people) {
        if (!hub.connected(p->link))
            continue;
        auto const seen = sorted(p->sub->presence().roster());
        bool const same = seen == truth;
        std::printf("%s: %zu present, %s\n", p->name.c_str(), seen.size(),
                    same ? "same as the server" : "DIFFERS from the server");
        if (!same) {
            status = 1;
            for (auto const& [key, entries] : truth)
                std::printf("  server has %s: %s\n", key.c_str(),
                            describe(entries.at(0).record).c_str());
            for (auto const& [key, entries] : seen)
                std::printf("  %s sees %s: %s\n", p->name.c_str(), key.c_str(),
                            describe(entries.at(0).record).c_str());
        }
    }
    return status;
}
