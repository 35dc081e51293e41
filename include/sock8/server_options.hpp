//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_SERVER_OPTIONS_HPP
#define SOCK8_SERVER_OPTIONS_HPP

#include <chrono>
#include <cstddef>
#include <string_view>

namespace sock8 {

/** Limits and timings of a sock8::server.

    Every limit has a default sized for chat rooms, dashboards and
    collaborative tools; each is enforced with a reply that names it, so
    a client that hits one learns which.
*/
struct server_options
{
    /// Largest frame accepted, in bytes; larger ones get an error reply.
    std::size_t max_frame_bytes = 64 * 1024;

    /// Channels one connection may have joined at once (Phoenix: 100).
    std::size_t max_channels_per_connection = 100;

    /// Largest presence record, as encoded JSON members, in bytes.
    std::size_t max_presence_bytes = 1024;

    /// Subscribers one topic may have.
    std::size_t max_members_per_topic = 10'000;

    /// Presence updates published per connection per second. Updates
    /// beyond the rate are not refused: they are merged into the record
    /// and the latest version is published when the rate allows.
    double max_presence_updates_per_second = 50;

    /// Coalescing window of presence diffs per topic. Within one window
    /// the latest version of every record wins and one diff goes out,
    /// serialized once for every subscriber. Zero sends each change at
    /// once.
    std::chrono::milliseconds presence_window{0};

    /// A connection that sends nothing, heartbeats included, for this
    /// long is closed and leaves everything it joined. The phoenix
    /// client sends a heartbeat every 30 s.
    std::chrono::milliseconds idle_timeout{60'000};

    /// Reject unknown members in incoming presence records instead of
    /// dropping them.
    bool strict_schemas = false;
};

/** Why a connection left a topic, as the leave hook reports it. */
enum class leave_reason
{
    /// The client sent phx_leave.
    left,
    /// The client joined the same topic again; the old instance closed.
    rejoined,
    /// The connection closed or dropped.
    closed,
    /// The connection sent nothing for server_options::idle_timeout.
    idle,
    /// The application closed the topic with server::close_topic.
    topic_closed,
    /// The server stopped.
    stopped,
};

inline std::string_view to_string(leave_reason reason) noexcept
{
    switch (reason) {
    case leave_reason::left: return "left";
    case leave_reason::rejoined: return "rejoined";
    case leave_reason::closed: return "closed";
    case leave_reason::idle: return "idle";
    case leave_reason::topic_closed: return "topic closed";
    case leave_reason::stopped: return "stopped";
    }
    return "unknown";
}

} // namespace sock8

#endif
