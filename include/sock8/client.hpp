//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_CLIENT_HPP
#define SOCK8_CLIENT_HPP

// The client core: subscriptions to the channels of a tree, typed messages
// and typed presence, over the Phoenix Channels V2 protocol.
//
// Like the server core it is a pure state machine (sock8::client_core): a
// transport reports the connection's life and the frames that arrive, and
// carries out the frames and closes the core asks for. docs/client.md has a
// complete example.

#include <sock8/channel.hpp>
#include <sock8/decode.hpp>
#include <sock8/encode.hpp>
#include <sock8/error.hpp>
#include <sock8/frame.hpp>
#include <sock8/log.hpp>
#include <sock8/presence.hpp>
#include <sock8/roster.hpp>
#include <sock8/topic.hpp>
#include <sock8/transport.hpp>
#include <sock8/tree.hpp>
#include <sock8/validation.hpp>

#include <sock8/detail/member_name.hpp>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>
#include <boost/system/errc.hpp>
#include <boost/system/error_code.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace sock8 {

/** How a sock8::client connects and keeps its channels.

    The defaults are the phoenix JavaScript client's.
*/
struct client_options
{
    /// Query parameters of the connection, such as {"token", "..."};
    /// percent-encoded by client::url_query().
    std::vector<std::pair<std::string, std::string>> params{};

    /// A heartbeat is sent this often while connected; a heartbeat still
    /// unanswered when the next one is due closes the connection.
    clock::duration heartbeat_interval = std::chrono::seconds(30);

    /// A join, leave or presence push without a reply after this long has
    /// timed out.
    clock::duration push_timeout = std::chrono::seconds(10);

    /// Waits before the 1st, 2nd, ... rejoin after a `phx_error` or a join
    /// timeout; the last one repeats. Must not be empty.
    std::vector<clock::duration> rejoin_backoff = {
        std::chrono::seconds(1), std::chrono::seconds(2),
        std::chrono::seconds(5), std::chrono::seconds(10)};

    /// How messages and presence records from the server are decoded.
    decode_options decode{};

    /// Bounds on incoming frames; larger than the server's, since a
    /// snapshot or coalesced diff of a big room is one frame.
    frame_limits limits{16 * 1024 * 1024};

    /// Where the client reports what it does; nothing when empty.
    log_hook log{};
};

/** Where a subscription stands.

    - `joining`: the join was sent, the reply has not arrived.
    - `joined`: the server accepted the join; messages flow.
    - `rejoining`: waiting to join again: the connection is down (the next
      client::opened rejoins) or the channel failed (`phx_error`) or a join
      timed out (rejoined after `rejoin_backoff`).
    - `refused`: the server refused the join. Not retried until the next
      reconnect (unlike the phoenix client, which retries a refused join
      with backoff): a refusal such as "unauthorized" does not heal by
      itself.
    - `leaving`: unsubscribe sent `phx_leave`; waiting for its reply.
    - `closed`: left, or closed by the server (`phx_close`). Subscribing to
      the topic again rejoins.
*/
enum class subscription_state : std::uint8_t
{
    joining,
    joined,
    rejoining,
    refused,
    leaving,
    closed,
};

/** The name of a subscription state, "joined". */
inline std::string_view to_string(subscription_state s) noexcept
{
    switch (s) {
    case subscription_state::joining:
        return "joining";
    case subscription_state::joined:
        return "joined";
    case subscription_state::rejoining:
        return "rejoining";
    case subscription_state::refused:
        return "refused";
    case subscription_state::leaving:
        return "leaving";
    case subscription_state::closed:
        return "closed";
    }
    return "unknown";
}

/** What went wrong on a subscription, as its error handler receives it.

    Reasons used by the client itself: "invalid message" (a message that
    does not match the channel's message type; never handed to the message
    handler), "invalid presence" (an update refused locally or by the
    server), "invalid presence meta" (a record from the server that does
    not match the presence type; skipped), "join timeout", "push timeout",
    "channel error" (`phx_error`). A refused join carries the server's
    reason, such as "unauthorized" or "unmatched topic".
*/
struct subscription_error
{
    /// One line for humans: the server's reason or one of the above.
    std::string reason;

    /// The server's response object, or `failure.to_json()` for problems
    /// found locally; null when there is nothing more to say.
    boost::json::value details;

    /// The sock8::error whose message equals the server's reason, the
    /// first field error's code for validation problems,
    /// `errc::timed_out` for timeouts; empty when none fits.
    boost::system::error_code code;

    /// Every field that failed, for validation problems; empty otherwise.
    validation_failure failure;
};

template <channel_type C>
class subscription;

template <channel_type C>
class presence_handle;

template <class Tree>
class client;

namespace detail {

class client_engine;

template <class... T>
inline constexpr bool dependent_false_v = false;

// Finds the sock8::error whose message is `reason`: the server answers with
// those messages, so a refusal can be told apart by code.
inline boost::system::error_code error_from_reason(std::string_view reason)
{
    if (reason.empty())
        return {};

    // Values are contiguous from 1; the category names the end.
    for (int e = 1;; ++e) {
        auto const code = make_error_code(static_cast<error>(e));
        auto const text = code.message();
        if (text == "unknown sock8 error")
            return {};
        if (text == reason)
            return code;
    }
}

inline std::string_view string_member(boost::json::object const& o,
                                      std::string_view name) noexcept
{
    auto const it = o.find(name);
    if (it == o.end() || !it->value().is_string())
        return {};
    return it->value().get_string();
}

inline boost::json::object const& object_member(boost::json::object const& o,
                                                std::string_view name) noexcept
{
    static boost::json::object const empty;
    auto const it = o.find(name);
    if (it == o.end() || !it->value().is_object())
        return empty;
    return it->value().get_object();
}

// Payloads live in the frame parser's memory until the next frame; what a
// handler may keep is copied out of it.
inline boost::json::value own_copy(boost::json::value const& v)
{
    return boost::json::value(v, boost::json::storage_ptr());
}

inline boost::json::value own_copy(boost::json::object const& o)
{
    return boost::json::value(
        boost::json::object(o, boost::json::storage_ptr()));
}

inline std::uint64_t parse_ref(std::string_view s) noexcept
{
    std::uint64_t n = 0;
    auto const r = std::from_chars(s.data(), s.data() + s.size(), n);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size())
        return 0;
    return n;
}

enum class push_kind : std::uint8_t
{
    join,
    leave,
    presence,
};

// The channel-independent part of a subscription: its state, join ref,
// backoff and the handlers every channel has. The engine drives it; the
// typed subscription adds the message and presence parts.
class subscription_base
{
public:
    subscription_base(client_engine& engine, std::string topic)
        : engine_(&engine), topic_str_(std::move(topic))
    {
    }

    subscription_base(subscription_base const&) = delete;
    subscription_base& operator=(subscription_base const&) = delete;
    virtual ~subscription_base() = default;

protected:
    friend class client_engine;
    template <channel_type C>
    friend class sock8::presence_handle;

    // The join payload for the join about to be sent with join_ref.
    virtual void append_join_payload(std::string& out,
                                     std::string_view join_ref) = 0;

    // The server accepted the join; response is its "response" object.
    virtual void handle_joined(boost::json::object const& response) = 0;

    // An event other than a reply, phx_close or phx_error, already
    // checked against the current join ref.
    virtual void handle_event(frame const& f) = 0;

    // The reply to a presence push.
    virtual void handle_push_reply(std::uint64_t ref, bool ok,
                                   boost::json::object const& response) = 0;

    // A presence push got no reply in time.
    virtual void handle_push_timeout(std::uint64_t ref) = 0;

    // The connection is gone: replies to pushes will never come.
    virtual void handle_disconnected() = 0;

    // Left or closed for good: what the subscription showed is gone.
    virtual void handle_ended() = 0;

    // Sends a push with the current join ref; returns its ref.
    std::uint64_t push(push_kind kind, std::string_view event,
                       std::string_view payload);

    void report(subscription_error const& e)
    {
        if (on_error_)
            on_error_(e);
    }

    void report(std::string reason, boost::json::value details,
                boost::system::error_code code, validation_failure failure = {})
    {
        if (!on_error_)
            return;

        subscription_error e;
        e.reason = std::move(reason);
        e.details = std::move(details);
        e.code = code;
        e.failure = std::move(failure);
        on_error_(e);
    }

    void log(log_level level, std::string_view what) const;

    client_engine* engine_;
    std::string topic_str_;
    subscription_state state_ = subscription_state::closed;
    std::string join_ref_;
    std::size_t tries_ = 0;
    std::optional<time_point> rejoin_at_;
    bool join_queued_ = false;

    std::function<void()> on_joined_;
    std::function<void()> on_closed_;
    std::function<void(subscription_error const&)> on_error_;
};

// The channel-independent client: refs, heartbeats, pending pushes, timers
// and the routing of frames to subscriptions.
class client_engine
{
public:
    explicit client_engine(client_options options)
        : options_(std::move(options)), parser_(options_.limits)
    {
        if (options_.rejoin_backoff.empty())
            options_.rejoin_backoff.push_back(std::chrono::seconds(10));
    }

    client_engine(client_engine const&) = delete;
    client_engine& operator=(client_engine const&) = delete;

    client_options const& options() const noexcept { return options_; }

    bool connected() const noexcept { return connected_; }

    void opened(time_point now)
    {
        if (connected_)
            disconnect(now);

        now_ = now;
        connected_ = true;
        next_heartbeat_ = now + options_.heartbeat_interval;
        heartbeat_ref_.reset();
        log(log_level::info, "connected; joining subscriptions");

        for (auto& [topic, s] : subscriptions_) {
            if (s->state_ == subscription_state::closed)
                continue;
            s->tries_ = 0;
            join(*s);
        }
    }

    void closed(time_point now)
    {
        now_ = now;
        if (connected_)
            disconnect(now);
    }

    void receive(std::string_view text, time_point now)
    {
        now_ = now;
        send_queued_joins();
        if (!connected_)
            return;

        boost::system::error_code ec;
        if (!parser_.parse(text, frame_, ec)) {
            log(log_level::warning, "dropped a frame: ", ec.message());
            return;
        }

        if (frame_.topic == phoenix_topic) {
            if (frame_.event == event::reply && frame_.ref &&
                frame_.ref == heartbeat_ref_)
                heartbeat_ref_.reset();
            return;
        }

        auto const it = subscriptions_.find(frame_.topic);
        if (it == subscriptions_.end()) {
            log(log_level::debug, "dropped a frame for unknown topic ",
                frame_.topic);
            return;
        }

        subscription_base& s = *it->second;
        if (frame_.join_ref && *frame_.join_ref != s.join_ref_) {
            log(log_level::debug, "dropped a frame with stale join ref ",
                *frame_.join_ref, " on ", frame_.topic);
            return;
        }

        dispatch(s, frame_);
    }

    void advance(time_point now)
    {
        now_ = now;
        send_queued_joins();
        expire_pushes(now);

        if (connected_) {
            for (auto& [topic, s] : subscriptions_) {
                if (s->state_ == subscription_state::rejoining &&
                    s->rejoin_at_ && *s->rejoin_at_ <= now)
                    join(*s);
            }
        }

        if (connected_ && next_heartbeat_ <= now) {
            if (heartbeat_ref_) {
                // Like phoenix: an unanswered heartbeat means the
                // connection is dead even if the socket looks open. Not
                // 1000, which tells some transports not to reconnect.
                log(log_level::warning, "heartbeat timeout; closing");
                actions_.close(0, close_code::going_away, "heartbeat timeout");
                disconnect(now);
                return;
            }

            heartbeat_ref_ = std::to_string(next_ref_++);
            std::string out;
            encode_frame(out, std::nullopt, *heartbeat_ref_, phoenix_topic,
                         event::heartbeat, "{}");
            actions_.send(0, make_frame(std::move(out)));
            next_heartbeat_ = now + options_.heartbeat_interval;
        }
    }

    std::optional<time_point> next_deadline() const
    {
        std::optional<time_point> next;
        auto const consider = [&](time_point t) {
            if (!next || t < *next)
                next = t;
        };

        for (auto const& [ref, p] : pending_)
            consider(p.deadline);
        if (connected_ && !join_queue_.empty())
            consider(now_ + options_.push_timeout);
        if (connected_) {
            consider(next_heartbeat_);
            for (auto const& [topic, s] : subscriptions_)
                if (s->state_ == subscription_state::rejoining && s->rejoin_at_)
                    consider(*s->rejoin_at_);
        }
        return next;
    }

    void take_actions(std::vector<action>& out)
    {
        send_queued_joins();
        actions_.take(out);
    }

    std::string url_query() const
    {
        std::string out;
        for (auto const& [name, value] : options_.params) {
            percent_encode(name, out);
            out.push_back('=');
            percent_encode(value, out);
            out.push_back('&');
        }
        out.append("vsn=2.0.0");
        return out;
    }

    subscription_base* find(std::string_view topic) const
    {
        auto const it = subscriptions_.find(topic);
        return it == subscriptions_.end() ? nullptr : it->second.get();
    }

    subscription_base& add(std::unique_ptr<subscription_base> s)
    {
        auto& slot = subscriptions_[s->topic_str_];
        slot = std::move(s);
        return *slot;
    }

    // Starts (again) a subscription that is closed or new.
    void start(subscription_base& s)
    {
        s.tries_ = 0;
        s.rejoin_at_.reset();
        if (connected_) {
            join(s);
        } else {
            s.state_ = subscription_state::rejoining;
        }
    }

    void leave(subscription_base& s)
    {
        if (s.join_queued_) {
            // Never sent: there is nothing to leave on the server.
            s.join_queued_ = false;
            end(s);
            return;
        }

        switch (s.state_) {
        case subscription_state::joining:
        case subscription_state::joined:
            s.state_ = subscription_state::leaving;
            s.push(push_kind::leave, event::leave, "{}");
            s.handle_ended();
            return;
        case subscription_state::rejoining:
        case subscription_state::refused:
            end(s);
            return;
        case subscription_state::leaving:
        case subscription_state::closed:
            return;
        }
    }

    std::uint64_t push(subscription_base& s, push_kind kind,
                       std::string_view event, std::string_view payload)
    {
        std::uint64_t const ref = next_ref_++;
        std::string const ref_text = std::to_string(ref);
        std::string out;
        encode_frame(out, s.join_ref_, ref_text, s.topic_str_, event, payload);
        actions_.send(0, make_frame(std::move(out)));
        pending_[ref] =
            pending_push{kind, &s, s.join_ref_, now_ + options_.push_timeout};
        return ref;
    }

    template <class... Parts>
    void log(log_level level, Parts const&... parts) const
    {
        if (!options_.log)
            return;

        std::string text;
        (text.append(std::string_view(parts)), ...);
        options_.log(level, text);
    }

private:
    struct pending_push
    {
        push_kind kind;
        subscription_base* sub;
        std::string join_ref;
        time_point deadline;
    };

    static void percent_encode(std::string_view s, std::string& out)
    {
        static constexpr char hex[] = "0123456789ABCDEF";
        for (unsigned char c : s) {
            bool const unreserved = (c >= 'a' && c <= 'z') ||
                                    (c >= 'A' && c <= 'Z') ||
                                    (c >= '0' && c <= '9') || c == '-' ||
                                    c == '.' || c == '_' || c == '~';
            if (unreserved) {
                out.push_back(static_cast<char>(c));
            } else {
                out.push_back('%');
                out.push_back(hex[c >> 4]);
                out.push_back(hex[c & 0xf]);
            }
        }
    }

    // The join frame is built when the transport takes the actions, so
    // that a presence record set right after subscribe() travels in the
    // join instead of in a second push.
    void join(subscription_base& s)
    {
        s.state_ = subscription_state::joining;
        s.rejoin_at_.reset();
        s.join_ref_.clear();
        if (!s.join_queued_) {
            s.join_queued_ = true;
            join_queue_.push_back(&s);
        }
    }

    void send_queued_joins()
    {
        if (join_queue_.empty())
            return;

        auto queue = std::move(join_queue_);
        join_queue_.clear();
        for (auto* s : queue) {
            bool const due = s->join_queued_ && connected_ &&
                             s->state_ == subscription_state::joining;
            s->join_queued_ = false;
            if (due)
                send_join(*s);
        }
    }

    void send_join(subscription_base& s)
    {
        std::uint64_t const ref = next_ref_++;
        s.join_ref_ = std::to_string(ref);

        std::string payload;
        s.append_join_payload(payload, s.join_ref_);
        std::string out;
        encode_frame(out, s.join_ref_, s.join_ref_, s.topic_str_, event::join,
                     payload);
        actions_.send(0, make_frame(std::move(out)));
        pending_[ref] = pending_push{push_kind::join, &s, s.join_ref_,
                                     now_ + options_.push_timeout};
        log(log_level::debug, "joining ", s.topic_str_, " with join ref ",
            s.join_ref_);
    }

    // A leave nobody waits for: its reply finds no pending push.
    void send_leave(subscription_base& s)
    {
        std::string const ref = std::to_string(next_ref_++);
        std::string out;
        encode_frame(out, s.join_ref_, ref, s.topic_str_, event::leave, "{}");
        actions_.send(0, make_frame(std::move(out)));
    }

    void schedule_rejoin(subscription_base& s, time_point now)
    {
        auto const& backoff = options_.rejoin_backoff;
        auto const wait = backoff[std::min(s.tries_, backoff.size() - 1)];
        ++s.tries_;
        s.state_ = subscription_state::rejoining;
        s.rejoin_at_ = now + wait;
    }

    void drop_pending(subscription_base& s)
    {
        std::erase_if(pending_,
                      [&](auto const& item) { return item.second.sub == &s; });
    }

    // Closed for good: after a leave, or phx_close.
    void end(subscription_base& s)
    {
        bool const had_presence = s.state_ != subscription_state::leaving;
        s.state_ = subscription_state::closed;
        s.join_queued_ = false;
        s.rejoin_at_.reset();
        drop_pending(s);
        if (had_presence)
            s.handle_ended();
        if (s.on_closed_)
            s.on_closed_();
    }

    void disconnect(time_point now)
    {
        now_ = now;
        connected_ = false;
        heartbeat_ref_.reset();
        log(log_level::info, "disconnected");

        // Replies can only come on the connection a push was sent on.
        pending_.clear();
        for (auto& [topic, s] : subscriptions_) {
            switch (s->state_) {
            case subscription_state::joining:
            case subscription_state::joined:
            case subscription_state::rejoining:
                s->state_ = subscription_state::rejoining;
                s->rejoin_at_.reset();
                s->join_queued_ = false;
                s->handle_disconnected();
                break;
            case subscription_state::leaving:
                // The server drops the channel with the connection.
                end(*s);
                break;
            case subscription_state::refused:
            case subscription_state::closed:
                break;
            }
        }
    }

    void dispatch(subscription_base& s, frame const& f)
    {
        if (f.event == event::reply) {
            reply(s, f);
            return;
        }

        if (s.state_ == subscription_state::closed ||
            s.state_ == subscription_state::refused)
            return;

        if (f.event == event::close) {
            log(log_level::info,
                "channel closed by the server: ", s.topic_str_);
            end(s);
            return;
        }

        if (f.event == event::error) {
            if (s.state_ == subscription_state::leaving)
                return;
            log(log_level::warning, "channel error on ", s.topic_str_,
                "; rejoining");
            drop_pending(s);
            schedule_rejoin(s, now_);
            s.handle_disconnected();
            s.report("channel error", own_copy(f.payload), {});
            return;
        }

        if (s.state_ != subscription_state::joined) {
            log(log_level::debug, "dropped ", f.event, " on ", s.topic_str_,
                " while ", to_string(s.state_));
            return;
        }
        s.handle_event(f);
    }

    void reply(subscription_base& s, frame const& f)
    {
        if (!f.ref)
            return;
        auto const it = pending_.find(parse_ref(*f.ref));
        if (it == pending_.end() || it->second.sub != &s)
            return;

        pending_push const p = it->second;
        pending_.erase(it);
        if (p.join_ref != s.join_ref_)
            return;

        auto const* payload = f.payload.if_object();
        static boost::json::object const empty;
        auto const& obj = payload ? *payload : empty;
        bool const ok = string_member(obj, "status") == "ok";
        auto const& response = object_member(obj, "response");

        switch (p.kind) {
        case push_kind::join:
            joined(s, ok, response);
            return;
        case push_kind::leave:
            end(s);
            return;
        case push_kind::presence:
            s.handle_push_reply(parse_ref(*f.ref), ok, response);
            return;
        }
    }

    void joined(subscription_base& s, bool ok,
                boost::json::object const& response)
    {
        if (s.state_ != subscription_state::joining)
            return;

        if (!ok) {
            auto const reason = string_member(response, "reason");
            log(log_level::warning, "join refused on ", s.topic_str_, ": ",
                reason);
            s.state_ = subscription_state::refused;
            // What a previous join showed is no longer known to be true.
            s.handle_ended();
            s.report(std::string(reason), own_copy(response),
                     error_from_reason(reason));
            return;
        }

        log(log_level::debug, "joined ", s.topic_str_);
        s.state_ = subscription_state::joined;
        s.tries_ = 0;
        s.handle_joined(response);
        if (s.on_joined_ && s.state_ == subscription_state::joined)
            s.on_joined_();
    }

    void expire_pushes(time_point now)
    {
        std::vector<std::pair<std::uint64_t, pending_push>> due;
        for (auto const& item : pending_)
            if (item.second.deadline <= now)
                due.push_back(item);

        for (auto& [ref, p] : due) {
            pending_.erase(ref);
            subscription_base& s = *p.sub;
            if (p.join_ref != s.join_ref_)
                continue;

            switch (p.kind) {
            case push_kind::join:
                if (s.state_ != subscription_state::joining)
                    break;
                log(log_level::warning, "join timeout on ", s.topic_str_);

                // As phoenix: should the join still arrive, it must not
                // leave a member behind on the server.
                send_leave(s);
                schedule_rejoin(s, now);
                s.report("join timeout", {},
                         make_error_code(boost::system::errc::timed_out));
                break;
            case push_kind::leave:
                if (s.state_ == subscription_state::leaving)
                    end(s);
                break;
            case push_kind::presence:
                s.handle_push_timeout(ref);
                break;
            }
        }
    }

    client_options options_;
    frame_parser parser_;
    frame frame_;
    action_queue actions_;
    std::map<std::string, std::unique_ptr<subscription_base>, std::less<>>
        subscriptions_;
    std::map<std::uint64_t, pending_push> pending_;
    std::vector<subscription_base*> join_queue_;
    std::uint64_t next_ref_ = 1;
    bool connected_ = false;
    time_point now_{};
    time_point next_heartbeat_{};
    std::optional<std::string> heartbeat_ref_;
};

inline std::uint64_t subscription_base::push(push_kind kind,
                                             std::string_view event,
                                             std::string_view payload)
{
    return engine_->push(*this, kind, event, payload);
}

inline void subscription_base::log(log_level level, std::string_view what) const
{
    engine_->log(level, what, " on ", topic_str_);
}

// Stands in for the presence handle on channels without presence.
struct no_presence
{
};

} // namespace detail

/** The presence of one subscription: this connection's record and the
    typed roster of everyone present.

    Obtained with subscription::presence() on a channel declared with
    `sock8::presence<P>`.

    Own records: the server answers the join and every update with the ref
    of this connection's new record; metas with those refs are this
    connection's, so others() leaves them out (one identity with several
    tabs still sees its other tabs in others()).

    @note Hooks run after the whole snapshot or diff is applied, so
    roster() and others() inside a hook already show the result. Within one
    diff, a join whose meta names a `phx_ref_prev` that leaves in the same
    diff is reported once, as on_update.
*/
template <channel_type C>
class presence_handle
{
public:
    /// The presence schema of the channel.
    using presence_type = presence_type_t<C>;
    /// One version of one connection's record.
    using entry_type = presence_entry<presence_type>;
    /// Everyone present, grouped by identity.
    using roster_type = ::sock8::roster<presence_type>;

    presence_handle(presence_handle const&) = delete;
    presence_handle& operator=(presence_handle const&) = delete;

    /** Replaces this connection's record.

        Applied at once to self(); sent as a whole when joined, else
        carried by the next join.

        @param whole The new record.
        @returns false, changing nothing and reporting "invalid presence"
        to the subscription's error handler, when the record violates its
        constraints.
    */
    bool update(presence_type const& whole)
    {
        auto failure = validate(whole);
        if (!failure.empty()) {
            refuse(std::move(failure));
            return false;
        }

        self_ = whole;
        if (!joined()) {
            changed_since_join_ = !join_pending();
            return true;
        }

        std::string payload;
        encode(self_, payload);
        send(payload);
        return true;
    }

    /** Changes one member of this connection's record.

        Sends only that member, `{"name": value}`; the server merges it.

        @tparam Member A pointer to a described member of the presence
        type, `&cursor_presence::x`; anything else does not compile.
        @param value The member's new value.
        @returns false, changing nothing and reporting "invalid presence",
        when the resulting record violates its constraints.
    */
    template <auto Member, class Value>
    bool set(Value&& value)
    {
        using traits = detail::member_pointer_traits<decltype(Member)>;
        static_assert(traits::value,
                      "sock8: set<> takes a pointer to a data member of the "
                      "channel's presence type, such as &my_presence::x");
        if constexpr (traits::value) {
            static_assert(
                std::is_same_v<typename traits::struct_type, presence_type>,
                "sock8: set<> takes a pointer to a member of the channel's "
                "presence type, not of another struct");
            if constexpr (std::is_same_v<typename traits::struct_type,
                                         presence_type>) {
                constexpr auto name =
                    detail::member_name<presence_type, Member>();
                static_assert(!name.empty(),
                              "sock8: set<> needs a public member described "
                              "with BOOST_DESCRIBE_STRUCT");
                return set_member<Member>(name, std::forward<Value>(value));
            }
        }
        return false;
    }

    /** This connection's record, with every update applied at once. */
    presence_type const& self() const noexcept { return self_; }

    /** This connection's identity, from the join reply; empty before. */
    std::string const& key() const noexcept { return key_; }

    /** Everyone present, this connection included. */
    roster_type const& roster() const noexcept { return roster_; }

    /** Everyone present except this connection's own record. */
    roster_type others() const
    {
        roster_type out;
        for (auto const& [key, entries] : roster_) {
            std::vector<entry_type> kept;
            for (auto const& e : entries)
                if (!is_self(e))
                    kept.push_back(e);
            if (!kept.empty())
                out.emplace(key, std::move(kept));
        }
        return out;
    }

    /** True when entry is a version of this connection's own record. */
    bool is_self(entry_type const& entry) const noexcept
    {
        return std::find(own_refs_.begin(), own_refs_.end(), entry.ref) !=
               own_refs_.end();
    }

    /** Called after each applied snapshot or diff. */
    presence_handle& on_sync(std::function<void()> h)
    {
        on_sync_ = std::move(h);
        return *this;
    }

    /** Called for each entry that joined: (key, entry). */
    presence_handle&
    on_join(std::function<void(std::string const&, entry_type const&)> h)
    {
        on_join_ = std::move(h);
        return *this;
    }

    /** Called for each entry replaced by a new version:
        (key, old entry, new entry). */
    presence_handle&
    on_update(std::function<void(std::string const&, entry_type const&,
                                 entry_type const&)>
                  h)
    {
        on_update_ = std::move(h);
        return *this;
    }

    /** Called for each entry that left: (key, entry). */
    presence_handle&
    on_leave(std::function<void(std::string const&, entry_type const&)> h)
    {
        on_leave_ = std::move(h);
        return *this;
    }

private:
    template <channel_type>
    friend class subscription;

    enum class change_kind : std::uint8_t
    {
        join,
        leave,
        update,
    };

    struct change
    {
        change_kind kind;
        std::string key;
        entry_type entry;
        entry_type old_entry;
        std::string prev_ref;
        bool consumed = false;
    };

    explicit presence_handle(detail::subscription_base& owner) : owner_(&owner)
    {
        json_.on_join([this](std::string_view key,
                             std::span<presence_meta const>,
                             std::span<presence_meta const> joined) {
            record_joins(key, joined);
        });
        json_.on_leave([this](std::string_view key,
                              std::span<presence_meta const>,
                              std::span<presence_meta const> left) {
            record_leaves(key, left);
        });
        json_.on_sync([this] { flush(); });
    }

    bool joined() const noexcept
    {
        return owner_->state_ == subscription_state::joined;
    }

    // Not sent yet: the record goes in the join when it is built.
    bool join_pending() const noexcept { return owner_->join_queued_; }

    validation_failure validate(presence_type const& record) const
    {
        return sock8::validate(record, owner_->engine_->options().decode);
    }

    void refuse(validation_failure failure)
    {
        auto details = failure.to_json();
        auto const code = failure.errors.empty()
                              ? boost::system::error_code()
                              : make_error_code(failure.errors[0].code);
        owner_->report("invalid presence", std::move(details), code,
                       std::move(failure));
    }

    template <auto Member, class Value>
    bool set_member(std::string_view name, Value&& value)
    {
        presence_type next = self_;
        next.*Member = std::forward<Value>(value);
        auto failure = validate(next);
        if (!failure.empty()) {
            refuse(std::move(failure));
            return false;
        }

        self_ = std::move(next);
        if (!joined()) {
            changed_since_join_ = !join_pending();
            return true;
        }

        std::string payload;
        payload.push_back('{');
        encode_string(name, payload);
        payload.push_back(':');
        encode(self_.*Member, payload);
        payload.push_back('}');
        send(payload);
        return true;
    }

    void send(std::string_view payload)
    {
        auto const ref =
            owner_->push(detail::push_kind::presence, event::presence, payload);
        in_flight_.emplace_back(ref, std::string(payload));
    }

    // What the server does with a presence push: merge it over the record.
    void apply_patch(std::string const& patch, presence_type& record)
    {
        boost::system::error_code ec;
        auto const v = boost::json::parse(patch, ec);
        validation_failure failure;
        if (!ec)
            merge_into(v, record, failure);
    }

    void append_join_payload(std::string& out, std::string_view join_ref)
    {
        out.append("{\"presence\":");
        encode(self_, out);
        out.push_back('}');
        joined_record_ = self_;
        changed_since_join_ = false;
        in_flight_.clear();
        json_.set_join_ref(join_ref);
    }

    void handle_joined(boost::json::object const& response)
    {
        key_.assign(detail::string_member(response, "key"));
        add_own_ref(detail::string_member(response, "ref"));
        confirmed_ = joined_record_;

        // Updates made while the join was on its way were not in it.
        if (changed_since_join_) {
            changed_since_join_ = false;
            std::string payload;
            encode(self_, payload);
            send(payload);
        }
    }

    void handle_push_reply(std::uint64_t ref, bool ok,
                           boost::json::object const& response)
    {
        auto const it =
            std::find_if(in_flight_.begin(), in_flight_.end(),
                         [&](auto const& item) { return item.first == ref; });
        if (it == in_flight_.end())
            return;

        if (ok) {
            apply_patch(it->second, confirmed_);
            in_flight_.erase(it);
            add_own_ref(detail::string_member(response, "ref"));
            return;
        }

        // The server kept the record it had: self() is that record with
        // the pushes still on their way applied over it, as the server
        // will apply them.
        in_flight_.erase(it);
        self_ = confirmed_;
        for (auto const& item : in_flight_)
            apply_patch(item.second, self_);
        owner_->report("invalid presence", detail::own_copy(response),
                       detail::error_from_reason(
                           detail::string_member(response, "reason")));
    }

    void handle_push_timeout(std::uint64_t ref)
    {
        std::erase_if(in_flight_,
                      [&](auto const& item) { return item.first == ref; });
        owner_->report("push timeout", {},
                       make_error_code(boost::system::errc::timed_out));
    }

    void handle_disconnected() { in_flight_.clear(); }

    // Everyone left this connection's view: report it and forget.
    void handle_ended()
    {
        in_flight_.clear();
        json_.clear();
        auto gone = std::move(roster_);
        roster_.clear();
        own_refs_.clear();
        latest_ref_.clear();
        if (!on_leave_)
            return;
        for (auto const& [key, entries] : gone)
            for (auto const& e : entries)
                on_leave_(key, e);
    }

    void handle_state(frame const& f)
    {
        if (auto const* o = f.payload.if_object())
            json_.apply_state(*o, f.join_ref);
    }

    void handle_diff(frame const& f)
    {
        if (auto const* o = f.payload.if_object())
            json_.apply_diff(*o, f.join_ref);
    }

    void add_own_ref(std::string_view ref)
    {
        if (ref.empty())
            return;
        latest_ref_.assign(ref);
        if (std::find(own_refs_.begin(), own_refs_.end(), ref) ==
            own_refs_.end())
            own_refs_.emplace_back(ref);
    }

    // Refs the server gave us but never published (coalesced away) or that
    // already left are no use; keep the latest, which may still come.
    void prune_own_refs()
    {
        std::erase_if(own_refs_, [&](std::string const& ref) {
            if (ref == latest_ref_)
                return false;
            for (auto const& [key, entries] : roster_)
                for (auto const& e : entries)
                    if (e.ref == ref)
                        return false;
            return true;
        });
    }

    void record_joins(std::string_view key,
                      std::span<presence_meta const> joined)
    {
        auto& entries = roster_[std::string(key)];
        for (auto const& meta : joined) {
            boost::json::object fields = meta.fields;
            std::string prev(detail::string_member(fields, "phx_ref_prev"));
            fields.erase("phx_ref_prev");

            entry_type entry;
            entry.ref = meta.ref;
            validation_failure failure;
            if (!decode_into(boost::json::value(std::move(fields)),
                             entry.record, failure,
                             owner_->engine_->options().decode)) {
                auto details = failure.to_json();
                auto const code = failure.errors.empty()
                                      ? boost::system::error_code()
                                      : make_error_code(failure.errors[0].code);
                owner_->report("invalid presence meta", std::move(details),
                               code, std::move(failure));
                continue;
            }

            // A ref names one version of a record: seeing it again (the
            // snapshot and the diff of one join both carry it) changes
            // nothing and is not reported.
            auto const same = std::find_if(
                entries.begin(), entries.end(),
                [&](entry_type const& e) { return e.ref == entry.ref; });
            if (same != entries.end())
                continue;
            entries.push_back(entry);
            changes_.push_back(change{change_kind::join,
                                      std::string(key),
                                      std::move(entry),
                                      {},
                                      std::move(prev)});
        }
        if (entries.empty())
            roster_.erase(roster_.find(key));
    }

    void record_leaves(std::string_view key,
                       std::span<presence_meta const> left)
    {
        auto const it = roster_.find(key);
        if (it == roster_.end())
            return;

        auto& entries = it->second;
        for (auto const& meta : left) {
            auto const e = std::find_if(
                entries.begin(), entries.end(),
                [&](entry_type const& x) { return x.ref == meta.ref; });
            if (e == entries.end())
                continue;
            changes_.push_back(
                change{change_kind::leave, std::string(key), *e, {}, {}});
            entries.erase(e);
        }
        if (entries.empty())
            roster_.erase(it);
    }

    // Pairs each join naming a phx_ref_prev with the leave of that ref, then
    // reports every change in the order the roster saw it.
    void flush()
    {
        auto changes = std::move(changes_);
        changes_.clear();

        for (auto& c : changes) {
            if (c.kind != change_kind::join || c.prev_ref.empty())
                continue;
            for (auto& l : changes) {
                if (l.kind == change_kind::leave && !l.consumed &&
                    l.key == c.key && l.entry.ref == c.prev_ref) {
                    l.consumed = true;
                    c.kind = change_kind::update;
                    c.old_entry = l.entry;
                    break;
                }
            }
        }

        prune_own_refs();

        for (auto const& c : changes) {
            if (c.consumed)
                continue;
            switch (c.kind) {
            case change_kind::join:
                if (on_join_)
                    on_join_(c.key, c.entry);
                break;
            case change_kind::leave:
                if (on_leave_)
                    on_leave_(c.key, c.entry);
                break;
            case change_kind::update:
                if (on_update_)
                    on_update_(c.key, c.old_entry, c.entry);
                break;
            }
        }
        if (on_sync_)
            on_sync_();
    }

    detail::subscription_base* owner_;
    presence_type self_{};
    presence_type confirmed_{};
    presence_type joined_record_{};
    bool changed_since_join_ = false;
    std::string key_;
    std::vector<std::string> own_refs_;
    std::string latest_ref_;
    std::vector<std::pair<std::uint64_t, std::string>> in_flight_;
    roster_type roster_;
    presence_roster json_;
    std::vector<change> changes_;

    std::function<void()> on_sync_;
    std::function<void(std::string const&, entry_type const&)> on_join_;
    std::function<void(std::string const&, entry_type const&,
                       entry_type const&)>
        on_update_;
    std::function<void(std::string const&, entry_type const&)> on_leave_;
};

/** One topic a client subscribes to: its state, typed messages and, on a
    presence channel, its presence.

    Owned by the client, which keeps it (and its handlers) for its whole
    life; references stay valid. Obtained from client::subscribe.

    @tparam C The channel of the topic.
*/
template <channel_type C>
class subscription final : public detail::subscription_base
{
public:
    /// The channel of this subscription.
    using channel_type = C;
    /// The message type of the channel.
    using message_type = message_type_t<C>;

    /** The topic subscribed to. */
    sock8::topic<C> const& topic() const noexcept { return topic_; }

    /** Where the subscription stands; see subscription_state. */
    subscription_state state() const noexcept { return state_; }

    /** The join ref of the current (or last) join; empty before any. */
    std::string const& join_ref() const noexcept { return join_ref_; }

    /** Sets the handler of the channel's messages.

        Each message is decoded and validated first; one that does not
        match the message type goes to the error handler instead.

        @param h Called with each valid message; the reference is valid
        during the call.
    */
    subscription& on_message(std::function<void(message_type const&)> h)
    {
        on_message_ = std::move(h);
        return *this;
    }

    /** Sets the handler called each time the server accepts a join
        (the first one and every rejoin). */
    subscription& on_joined(std::function<void()> h)
    {
        on_joined_ = std::move(h);
        return *this;
    }

    /** Sets the error handler.

        @param h Either `void(subscription_error const&)` or
        `void(std::string_view reason, boost::json::value const& details)`.
    */
    template <class Handler>
    subscription& on_error(Handler h)
    {
        if constexpr (std::is_invocable_v<Handler&,
                                          subscription_error const&>) {
            on_error_ = std::move(h);
        } else {
            static_assert(
                std::is_invocable_v<Handler&, std::string_view,
                                    boost::json::value const&>,
                "sock8: on_error takes a handler of "
                "(sock8::subscription_error const&) or of "
                "(std::string_view reason, boost::json::value const& details)");
            on_error_ =
                [h = std::move(h)](subscription_error const& e) mutable {
                    h(std::string_view(e.reason), e.details);
                };
        }
        return *this;
    }

    /** Sets the handler called when the subscription closes for good:
        after unsubscribe or a `phx_close` from the server. */
    subscription& on_closed(std::function<void()> h)
    {
        on_closed_ = std::move(h);
        return *this;
    }

    /** The presence of this subscription.

        Only on a channel declared with `sock8::presence<P>`; on any other
        channel this does not compile.
    */
    auto& presence() noexcept
    {
        require_presence<C>();
        return presence_;
    }

    /** Clients cannot emit: this never compiles. The server emits. */
    template <class... Args>
    void emit(Args&&...)
    {
        static_assert(detail::dependent_false_v<Args...>,
                      "sock8: clients cannot emit; only the server emits");
    }

private:
    template <class>
    friend class client;

    using presence_member =
        std::conditional_t<has_presence_v<C>, presence_handle<C>,
                           detail::no_presence>;

    static presence_member make_presence(detail::subscription_base& self)
    {
        if constexpr (has_presence_v<C>)
            return presence_member(self);
        else
            return {};
    }

    subscription(detail::client_engine& engine, sock8::topic<C> const& t)
        : detail::subscription_base(engine, t.str()), topic_(t),
          presence_(make_presence(*this))
    {
    }

    void append_join_payload(std::string& out,
                             std::string_view join_ref) override
    {
        if constexpr (has_presence_v<C>)
            presence_.append_join_payload(out, join_ref);
        else
            out.append("{}");
    }

    void handle_joined(boost::json::object const& response) override
    {
        if constexpr (has_presence_v<C>)
            presence_.handle_joined(response);
    }

    void handle_event(frame const& f) override
    {
        if (f.event == event::message) {
            deliver(f.payload);
            return;
        }

        if constexpr (has_presence_v<C>) {
            if (f.event == event::presence_state) {
                presence_.handle_state(f);
                return;
            }
            if (f.event == event::presence_diff) {
                presence_.handle_diff(f);
                return;
            }
        }
        log(log_level::debug, "dropped an event the channel does not use");
    }

    void handle_push_reply(std::uint64_t ref, bool ok,
                           boost::json::object const& response) override
    {
        if constexpr (has_presence_v<C>)
            presence_.handle_push_reply(ref, ok, response);
    }

    void handle_push_timeout(std::uint64_t ref) override
    {
        if constexpr (has_presence_v<C>)
            presence_.handle_push_timeout(ref);
    }

    void handle_disconnected() override
    {
        if constexpr (has_presence_v<C>)
            presence_.handle_disconnected();
    }

    void handle_ended() override
    {
        if constexpr (has_presence_v<C>)
            presence_.handle_ended();
    }

    void deliver(boost::json::value const& payload)
    {
        auto const& decode = engine_->options().decode;
        if (decode_into(payload, message_, failure_, decode)) {
            if (on_message_)
                on_message_(message_);
            return;
        }

        log(log_level::warning, "dropped an invalid message");
        auto const code = failure_.errors.empty()
                              ? boost::system::error_code()
                              : make_error_code(failure_.errors[0].code);
        report("invalid message", failure_.to_json(), code, failure_);
    }

    sock8::topic<C> topic_;
    message_type message_{};
    validation_failure failure_;
    std::function<void(message_type const&)> on_message_;
    presence_member presence_;
};

/** The client core: subscriptions to the channels of Tree over one
    connection at a time (models sock8::client_core).

    A pure state machine: it owns no socket, thread or clock. The transport
    calls opened(), receive(), closed() and advance() and performs the
    actions it takes with take_actions() after each call; the application
    subscribes and updates presence between those calls, on the same
    thread.

    - Refs and join refs are increasing decimal strings, never reused for
      the life of the client, so a frame of an earlier join is recognized
      and dropped.
    - On every opened(), each subscription that is not closed joins with a
      new join ref and, on a presence channel, its current record: after a
      reconnect the server restores it and the presence snapshot reports
      what changed meanwhile.
    - Heartbeats are sent every `heartbeat_interval` while connected; when
      one is still unanswered as the next is due, the client asks the
      transport to close (reason "heartbeat timeout", as phoenix; code
      1001 rather than phoenix's 1000, so that a transport that does not
      reconnect after a normal close still does) and behaves as after
      closed(). The transport reconnects.

    @note Pushes made by the application between events (a join from
    subscribe, a presence update) time out `push_timeout` after the time of
    the last event the client was given.

    @tparam Tree A sock8::tree of the channels the client may subscribe to.
*/
template <class Tree>
class client
{
public:
    /** Constructor.

        @param options Connection parameters, timers and the log hook.
    */
    explicit client(client_options options = {}) : engine_(std::move(options))
    {
    }

    client(client const&) = delete;
    client& operator=(client const&) = delete;

    /** Subscribes to a topic.

        Joins now when connected, else on the next opened(). Subscribing to
        a topic already subscribed returns the same subscription (and
        rejoins it if it was closed or leaving; a refused one waits for
        the next reconnect).

        @param t A topic of a channel of Tree; any other channel does not
        compile.
        @returns The subscription, valid for the life of the client.
    */
    template <channel_type C>
    subscription<C>& subscribe(topic<C> const& t)
    {
        static_assert(Tree::template contains<C>,
                      "sock8: this channel is not part of the client's tree");

        // A topic string matches one channel of a tree only, so the
        // subscription found is of this channel.
        if (auto* found = engine_.find(t.str())) {
            auto& s = static_cast<subscription<C>&>(*found);
            // A leave on its way is overtaken: the server handles the leave
            // first, and its reply and phx_close carry the old join ref.
            if (s.state() == subscription_state::closed ||
                s.state() == subscription_state::leaving)
                engine_.start(s);
            return s;
        }

        auto& s = static_cast<subscription<C>&>(
            engine_.add(std::unique_ptr<detail::subscription_base>(
                new subscription<C>(engine_, t))));
        engine_.start(s);
        return s;
    }

    /** Leaves a topic.

        Sends `phx_leave` when joined or joining; reports every presence
        entry as a leave to the presence hooks; the subscription closes
        (on_closed) when the server answers, the leave times out or the
        connection drops.

        @param s A subscription of this client.
    */
    template <channel_type C>
    void unsubscribe(subscription<C>& s)
    {
        engine_.leave(s);
    }

    /** Clients cannot emit: this never compiles. The server emits. */
    template <class... Args>
    void emit(Args&&...)
    {
        static_assert(detail::dependent_false_v<Args...>,
                      "sock8: clients cannot emit; only the server emits");
    }

    /** The transport opened a connection. */
    void opened(time_point now) { engine_.opened(now); }

    /** A text frame arrived.

        @param text The frame; invalid frames are logged and dropped.
    */
    void receive(std::string_view text, time_point now)
    {
        engine_.receive(text, now);
    }

    /** The connection closed; subscriptions wait for the next opened(). */
    void closed(time_point now) { engine_.closed(now); }

    /** Time passed: heartbeats, timeouts and rejoins that are due. */
    void advance(time_point now) { engine_.advance(now); }

    /** When advance() has work next; empty when nothing is scheduled. */
    std::optional<time_point> next_deadline() const
    {
        return engine_.next_deadline();
    }

    /** Moves the pending actions into out (connection id always 0). */
    void take_actions(std::vector<action>& out) { engine_.take_actions(out); }

    /** The query string to connect with: the params, percent-encoded, and
        "vsn=2.0.0", as in "token=abc&vsn=2.0.0". */
    std::string url_query() const { return engine_.url_query(); }

    /** True between opened() and closed() (or a heartbeat timeout). */
    bool connected() const noexcept { return engine_.connected(); }

    /** The options given at construction. */
    client_options const& options() const noexcept { return engine_.options(); }

private:
    detail::client_engine engine_;
};

} // namespace sock8

#endif
