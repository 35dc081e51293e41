//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_DETAIL_SERVER_STATE_HPP
#define SOCK8_DETAIL_SERVER_STATE_HPP

#include <sock8/authorization.hpp>
#include <sock8/channel.hpp>
#include <sock8/presence.hpp>
#include <sock8/topic.hpp>
#include <sock8/transport.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sock8::detail {

// Lets unordered maps keyed by std::string be searched with a view.
struct string_hash
{
    using is_transparent = void;

    std::size_t operator()(std::string_view s) const noexcept
    {
        return std::hash<std::string_view>{}(s);
    }
};

// One topic a connection joined. `topic` points at the topic_state of
// channel number `channel`; `index` is the connection's position in that
// topic's subscriber list.
struct membership
{
    std::size_t channel = 0;
    void* topic = nullptr;
    std::size_t index = 0;
    std::string topic_name;
    std::string join_ref;
};

struct server_connection
{
    connection_id id = 0;
    grant_set grants;
    std::size_t identity_hash = 0; // groups snapshots by key cheaply
    std::vector<membership> joined;
    time_point last_seen{};

    // Token bucket of presence publications.
    double tokens = 0;
    time_point refilled{};

    bool congested = false;
    bool closing = false;

    // The position of the membership for `topic` in `joined`, or
    // joined.size(). Connections join few topics: a scan beats a map.
    std::size_t find(std::string_view topic) const noexcept
    {
        for (std::size_t i = 0; i < joined.size(); ++i)
            if (joined[i].topic_name == topic)
                return i;
        return joined.size();
    }
};

// A subscriber's presence: its current record and what others last saw.
template <class Presence>
struct presence_slot
{
    Presence record{};
    std::string meta;           // record's encoded members
    std::string pending_ref;    // ref of the current record
    std::string published_ref;  // ref others last saw
    std::string published_meta; // members others last saw
    bool published = false;
    bool dirty = false;         // current differs from published
};

template <>
struct presence_slot<void>
{
};

// Per topic: the pending diff, and scratch space that update reuses.
template <class Presence>
struct presence_topic
{
    presence_diff_builder builder;
    Presence record{};
    std::string meta;
};

template <>
struct presence_topic<void>
{
};

template <class Channel>
struct subscriber
{
    connection_id connection = 0;
    server_connection* owner = nullptr;
    [[no_unique_address]] presence_slot<presence_type_t<Channel>> presence;
};

template <class Channel>
struct topic_state
{
    explicit topic_state(topic<Channel> instance) : name(std::move(instance))
    {
    }

    topic<Channel> name;
    std::vector<subscriber<Channel>> subscribers;
    [[no_unique_address]] presence_topic<presence_type_t<Channel>> presence;
    std::size_t dirty = 0;  // subscribers whose record awaits publication
    bool scheduled = false; // in the server's flush queue
};

} // namespace sock8::detail

#endif
