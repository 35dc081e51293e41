//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_SERVER_HPP
#define SOCK8_SERVER_HPP

#include <sock8/authorization.hpp>
#include <sock8/channels.hpp>
#include <sock8/error.hpp>
#include <sock8/frame.hpp>
#include <sock8/log.hpp>
#include <sock8/presence.hpp>
#include <sock8/roster.hpp>
#include <sock8/schema.hpp>
#include <sock8/server_options.hpp>
#include <sock8/transport.hpp>
#include <sock8/detail/frame_pool.hpp>
#include <sock8/detail/server_state.hpp>

#include <boost/json/serialize.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/system/result.hpp>

#include <algorithm>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace sock8 {

/** Who a hook is about: one connection in one topic. */
struct member_info
{
    connection_id connection;
    std::string_view identity;
};

/** The server core: every channel of @p Tree, its topics and presence.

    A pure state machine. A transport feeds it connection events and time
    (`open`, `receive`, `closed`, `advance`) and performs the actions it
    takes out (`take_actions`); the application emits messages and reads
    rosters. It models sock8::server_core. It is not thread-safe: a
    transport serializes its calls.

    @tparam Tree a sock8::tree of the application's channels.

    @par Example
    @code
    sock8::server<app> server;
    server.on_connect([](sock8::authorization<app>& auth) {
        auth.identify_as("user:" + std::string(auth.request().query_value("name")));
        auth.grant<chat_messages>();
    });
    server.emit(chat_messages::topic("lobby"), chat_message{"ada", "hi"});
    @endcode
*/
template <class Tree>
class server
{
public:
    using tree_type = Tree;

    template <class Channel>
    using join_hook = std::function<void(topic<Channel> const&,
                                         member_info const&)>;

    template <class Channel>
    using leave_hook = std::function<void(
        topic<Channel> const&, member_info const&, leave_reason)>;

    using connect_hook = std::function<void(authorization<Tree>&)>;

    explicit server(server_options options = {})
        : options_(options), parser_(frame_limits{options.max_frame_bytes})
    {
    }

    server(server const&) = delete;
    server& operator=(server const&) = delete;

    server_options const& options() const noexcept { return options_; }

    // ---------------------------------------------------------------
    // application side

    /** Sets the hook that identifies connections and grants channels.

        Without it every connection is refused: nothing is public.
    */
    void on_connect(connect_hook hook) { connect_hook_ = std::move(hook); }

    /** Sets a hook called after a connection joined a topic of
        @p Channel. */
    template <channel_type Channel>
    void on_join(join_hook<Channel> hook)
    {
        require_channel<Channel>();
        std::get<channel_index<Channel>>(hooks_).join = std::move(hook);
    }

    /** Sets a hook called after a connection left a topic of @p Channel,
        whatever the reason: every path out goes through it. */
    template <channel_type Channel>
    void on_leave(leave_hook<Channel> hook)
    {
        require_channel<Channel>();
        std::get<channel_index<Channel>>(hooks_).leave = std::move(hook);
    }

    /** Sets where the server reports what it refused and why. */
    void on_log(log_hook hook) { log_ = std::move(hook); }

    /** Broadcasts @p message to every subscriber of @p instance.

        The message is validated against its constraints, serialized once
        and the same bytes are queued for every subscriber as event
        `message`.

        @return how many connections it was queued for.
        @throws validation_exception when the message breaks a constraint;
        nothing is sent then.
    */
    template <channel_type Channel, class Message>
    std::size_t emit(topic<Channel> const& instance, Message const& message)
    {
        auto r = try_emit(instance, message);
        if (!r)
            throw validation_exception(std::move(r.error()));
        return *r;
    }

    /** Like emit, but returns the validation failure instead of throwing.
     */
    template <channel_type Channel, class Message>
    boost::system::result<std::size_t, validation_failure>
    try_emit(topic<Channel> const& instance, Message const& message)
    {
        require_channel<Channel>();
        static_assert(std::is_same_v<Message, message_type_t<Channel>>,
                      "sock8: emit takes the message type the channel "
                      "declares (sock8::message_type_t<Channel>)");

        validation_failure failure;
        scratch_.clear();
        if (!try_encode(message, scratch_, failure))
            return failure;

        auto* t = find_topic<Channel>(instance.str());
        if (t == nullptr || t->subscribers.empty())
            return std::size_t(0);

        auto frame = encode_broadcast(instance.str(), event::message,
                                      scratch_);
        for (auto const& s : t->subscribers)
            actions_.send(s.connection, frame);
        return t->subscribers.size();
    }

    /** The current presence of @p instance, grouped by identity. */
    template <channel_type Channel>
    roster<presence_type_t<Channel>>
    roster_of(topic<Channel> const& instance) const
    {
        require_presence<Channel>();
        require_channel<Channel>();

        sock8::roster<presence_type_t<Channel>> out;
        auto const* t = find_topic<Channel>(instance.str());
        if (t == nullptr)
            return out;
        for (auto const& s : t->subscribers)
            out[s.owner->grants.identity].push_back(
                {s.presence.pending_ref, s.presence.record});
        return out;
    }

    /** How many connections are subscribed to @p instance. */
    template <channel_type Channel>
    std::size_t subscriber_count(topic<Channel> const& instance) const
    {
        require_channel<Channel>();
        auto const* t = find_topic<Channel>(instance.str());
        return t == nullptr ? 0 : t->subscribers.size();
    }

    /** Closes a topic for every subscriber: each gets `phx_close` and
        leaves it, its presence record with it; clients do not rejoin. */
    template <channel_type Channel>
    void close_topic(topic<Channel> const& instance)
    {
        require_channel<Channel>();
        auto* t = find_topic<Channel>(instance.str());
        if (t == nullptr)
            return;

        // Leaving may erase the topic with its last subscriber: take the
        // list of connections first.
        std::vector<connection*> owners;
        for (auto const& s : t->subscribers)
            owners.push_back(s.owner);
        for (auto* owner : owners) {
            auto const m = owner->find(instance.str());
            auto const& join_ref = owner->joined[m].join_ref;
            actions_.send(owner->id,
                          encode_to_one(join_ref, join_ref, instance.str(),
                                        event::close, "{}"));
            leave_membership(*owner, m, leave_reason::topic_closed);
        }
        flush_ready();
    }

    /** Connections currently open. */
    std::size_t connection_count() const noexcept
    {
        return connections_.size();
    }

    // ---------------------------------------------------------------
    // transport side (sock8::server_core)

    /** A transport received a connection request.

        Runs the connect hook. @return the new connection's id, or
        error::unauthorized (answer HTTP 403) or error::server_stopped.
    */
    boost::system::result<connection_id> open(connect_request const& request,
                                              time_point now)
    {
        if (stopped_)
            return make_error_code(error::server_stopped);

        authorization<Tree> auth(request);
        if (connect_hook_)
            connect_hook_(auth);
        if (!connect_hook_ || !auth.accepted()) {
            log(log_level::info, "connection refused: ", auth.refusal());
            return make_error_code(error::unauthorized);
        }

        auto const id = ++last_connection_id_;
        auto& c = connections_[id];
        c.id = id;
        c.grants = std::move(auth).release();
        c.identity_hash = std::hash<std::string>{}(c.grants.identity);
        c.last_seen = now;
        c.tokens = options_.max_presence_updates_per_second;
        c.refilled = now;
        arm_idle_sweep(now);
        return id;
    }

    /** A text frame arrived on connection @p id. */
    void receive(connection_id id, std::string_view text, time_point now)
    {
        now_ = now;
        auto it = connections_.find(id);
        if (it == connections_.end() || it->second.closing)
            return;
        auto& c = it->second;
        c.last_seen = now;

        boost::system::error_code ec;
        if (!parser_.parse(text, frame_, ec)) {
            reply_error(c, frame_, ec.message());
            return;
        }
        dispatch(c);
        flush_ready();
    }

    /** Connection @p id is gone, for whatever reason. */
    void closed(connection_id id, time_point now)
    {
        now_ = now;
        auto it = connections_.find(id);
        if (it == connections_.end())
            return;
        leave_all(it->second, leave_reason::closed);
        connections_.erase(it);
        flush_ready();
    }

    /** Time passed: flush due presence diffs, close idle connections. */
    void advance(time_point now)
    {
        now_ = now;
        while (!flushes_.empty() && flushes_.front().due <= now) {
            auto const due = flushes_.front();
            flushes_.pop_front();
            Tree::with_channel(due.channel, [&](auto id) {
                using channel = typename decltype(id)::type;
                flush(*static_cast<topic_state<channel>*>(due.topic));
            });
        }
        if (idle_sweep_ && *idle_sweep_ <= now)
            sweep_idle(now);
        flush_ready();
    }

    /** When the transport should call advance next, if ever. */
    std::optional<time_point> next_deadline() const
    {
        std::optional<time_point> next = idle_sweep_;
        if (!flushes_.empty() && (!next || flushes_.front().due < *next))
            next = flushes_.front().due;
        return next;
    }

    /** Moves the actions queued since the last call into @p out. */
    void take_actions(std::vector<action>& out) { actions_.take(out); }

    /** A connection's send queue passed the transport's soft limit, or
        drained again. While congested it gets no presence diffs; when it
        drains it gets the current presence state of every topic it
        joined instead of the backlog. */
    void congested(connection_id id, bool congested, time_point now)
    {
        now_ = now;
        auto it = connections_.find(id);
        if (it == connections_.end() || it->second.congested == congested)
            return;
        auto& c = it->second;
        c.congested = congested;
        if (congested)
            return;
        for (auto& m : c.joined)
            Tree::with_channel(m.channel, [&](auto tid) {
                using channel = typename decltype(tid)::type;
                if constexpr (has_presence_v<channel>)
                    send_state(c, m,
                               *static_cast<topic_state<channel>*>(m.topic));
            });
    }

    /** Stops the server: refuses new connections, removes every member
        from every topic and closes every connection with 1001 (going
        away), so that stock clients reconnect and rejoin elsewhere or
        after a restart. */
    void stop(time_point now)
    {
        now_ = now;
        stopped_ = true;
        for (auto& [id, c] : connections_) {
            if (c.closing)
                continue;
            leave_all(c, leave_reason::stopped);
            c.closing = true;
            actions_.close(id, close_code::going_away, "server stopped");
        }
        flushes_.clear();
        ready_.clear();
        idle_sweep_.reset();
        std::apply([](auto&... maps) { (maps.clear(), ...); }, topics_);
    }

    /// @private Misuse guard: servers do not subscribe.
    template <class... Args>
    void subscribe(Args&&...)
    {
        static_assert(sizeof...(Args) < 0,
                      "sock8: servers do not subscribe; use sock8::client "
                      "to subscribe, and server.emit to send");
    }

private:
    template <class Channel>
    using topic_state = detail::topic_state<Channel>;

    using connection = detail::server_connection;
    using membership = detail::membership;

    template <class Channel>
    static constexpr std::size_t channel_index = Tree::template index_of<Channel>;

    template <class Channel>
    using topic_map = std::unordered_map<std::string, topic_state<Channel>,
                                         detail::string_hash, std::equal_to<>>;

    template <class Channel>
    struct channel_hooks
    {
        join_hook<Channel> join;
        leave_hook<Channel> leave;
    };

    using topics_tuple = boost::mp11::mp_rename<
        boost::mp11::mp_transform<topic_map, typename Tree::channels>,
        std::tuple>;
    using hooks_tuple = boost::mp11::mp_rename<
        boost::mp11::mp_transform<channel_hooks, typename Tree::channels>,
        std::tuple>;

    struct scheduled_flush
    {
        time_point due;
        std::size_t channel;
        void* topic;
    };

    template <class Channel>
    static constexpr void require_channel()
    {
        static_assert(Tree::template contains<Channel>,
                      "sock8: this channel is not part of the server's tree");
    }

    template <class... Parts>
    void log(log_level level, Parts const&... parts)
    {
        if (!log_)
            return;
        std::string line;
        (line.append(std::string_view(parts)), ...);
        log_(level, line);
    }

    template <class Channel>
    topic_state<Channel>* find_topic(std::string_view name)
    {
        auto& map = std::get<channel_index<Channel>>(topics_);
        auto it = map.find(name);
        return it == map.end() ? nullptr : &it->second;
    }

    template <class Channel>
    topic_state<Channel> const* find_topic(std::string_view name) const
    {
        auto const& map = std::get<channel_index<Channel>>(topics_);
        auto it = map.find(name);
        return it == map.end() ? nullptr : &it->second;
    }

    // ---------------------------------------------------------------
    // frames out

    shared_frame encode_to_one(std::optional<std::string_view> join_ref,
                               std::optional<std::string_view> ref,
                               std::string_view topic, std::string_view event,
                               std::string_view payload)
    {
        std::string out;
        encode_frame(out, join_ref, ref, topic, event, payload);
        return make_frame(std::move(out));
    }

    shared_frame encode_broadcast(std::string_view topic,
                                  std::string_view event,
                                  std::string_view payload)
    {
        return encode_to_one(std::nullopt, std::nullopt, topic, event,
                             payload);
    }

    static std::optional<std::string_view>
    view(std::optional<std::string> const& s)
    {
        if (!s)
            return std::nullopt;
        return std::string_view(*s);
    }

    void reply_ok(connection const& c, frame const& f,
                  std::string_view response = "{}")
    {
        auto out = replies_.acquire();
        encode_reply_ok(*out, view(f.join_ref), view(f.ref), f.topic,
                        response);
        actions_.send(c.id, std::move(out));
    }

    void reply_error(connection const& c, frame const& f,
                     std::string_view reason,
                     std::string_view extra_members = {})
    {
        std::string out;
        std::string_view const topic =
            f.topic.empty() ? phoenix_topic : std::string_view(f.topic);
        encode_reply_error(out, view(f.join_ref), view(f.ref), topic, reason,
                           extra_members);
        actions_.send(c.id, make_frame(std::move(out)));
        log(log_level::debug, "refused ", f.event, " on ", topic, ": ",
            reason);
    }

    void reply_invalid(connection const& c, frame const& f,
                       std::string_view reason,
                       validation_failure const& failure)
    {
        std::string extra = "\"errors\":";
        extra += boost::json::serialize(failure.to_json());
        reply_error(c, f, reason, extra);
    }

    // ---------------------------------------------------------------
    // frames in

    void dispatch(connection& c)
    {
        auto const& f = frame_;

        if (f.topic == phoenix_topic) {
            if (f.event == event::heartbeat)
                reply_ok(c, f);
            else
                reply_error(c, f, make_error_code(error::unknown_event)
                                      .message());
            return;
        }

        if (f.event == event::join) {
            join(c);
            return;
        }

        auto const m = c.find(f.topic);
        if (m == c.joined.size()) {
            reply_error(c, f, make_error_code(error::not_joined).message());
            return;
        }

        // A frame addressed to an earlier instance of this topic changes
        // nothing: the client has moved on to a newer join.
        if (f.join_ref && *f.join_ref != c.joined[m].join_ref)
            return;

        if (f.event == event::leave) {
            reply_ok(c, f);
            actions_.send(c.id, encode_to_one(c.joined[m].join_ref,
                                              c.joined[m].join_ref, f.topic,
                                              event::close, "{}"));
            leave_membership(c, m, leave_reason::left);
            return;
        }

        if (f.event == event::presence) {
            Tree::with_channel(c.joined[m].channel, [&](auto id) {
                using channel = typename decltype(id)::type;
                if constexpr (has_presence_v<channel>)
                    update_presence<channel>(c, m);
                else
                    reply_error(c, f,
                                make_error_code(error::no_presence).message());
            });
            return;
        }

        if (f.event == event::message) {
            reply_error(c, f,
                        make_error_code(error::client_cannot_emit).message());
            return;
        }

        reply_error(c, f, make_error_code(error::unknown_event).message());
    }

    void join(connection& c)
    {
        auto const& f = frame_;
        auto const index = Tree::find(f.topic);
        if (!index) {
            // Phoenix answers an unknown topic with a null join ref.
            std::string out;
            encode_reply_error(out, std::nullopt, view(f.ref), f.topic,
                               index.error().message(), {});
            actions_.send(c.id, make_frame(std::move(out)));
            return;
        }

        Tree::with_channel(*index, [&](auto id) {
            using channel = typename decltype(id)::type;
            join_channel<channel>(c);
        });
    }

    template <class Channel>
    void join_channel(connection& c)
    {
        auto const& f = frame_;
        auto parsed = Channel::parse_topic(f.topic);
        if (!parsed) {
            reply_error(c, f, parsed.error().message());
            return;
        }

        if (!c.grants.allows(channel_index<Channel>, f.topic)) {
            reply_error(c, f, make_error_code(error::unauthorized).message());
            return;
        }

        // A second join of the same topic replaces the first: the old
        // instance is closed with its own join ref, as Phoenix does.
        auto const previous = c.find(f.topic);
        if (previous != c.joined.size()) {
            auto const& old = c.joined[previous].join_ref;
            actions_.send(c.id, encode_to_one(old, old, f.topic, event::close,
                                              "{}"));
            leave_membership(c, previous, leave_reason::rejoined);
        }

        if (c.joined.size() >= options_.max_channels_per_connection) {
            reply_error(c, f,
                        make_error_code(error::too_many_channels).message());
            return;
        }

        auto& map = std::get<channel_index<Channel>>(topics_);
        auto* t = find_topic<Channel>(f.topic);
        if (t != nullptr &&
            t->subscribers.size() >= options_.max_members_per_topic) {
            reply_error(c, f,
                        make_error_code(error::too_many_members).message());
            return;
        }

        detail::subscriber<Channel> s;
        s.connection = c.id;
        s.owner = &c;
        if constexpr (has_presence_v<Channel>) {
            if (!initial_presence<Channel>(c, s))
                return;
        }

        if (t == nullptr)
            t = &map.try_emplace(f.topic, std::move(*parsed)).first->second;

        auto& m = c.joined.emplace_back();
        m.channel = channel_index<Channel>;
        m.topic = t;
        m.topic_name = f.topic;
        m.join_ref = f.join_ref.value_or(std::string());
        m.index = t->subscribers.size();
        t->subscribers.push_back(std::move(s));

        if constexpr (has_presence_v<Channel>) {
            auto& added = t->subscribers.back();
            std::string response = "{\"key\":";
            encode_string(c.grants.identity, response);
            response += ",\"ref\":";
            encode_string(added.presence.pending_ref, response);
            response += '}';
            reply_ok(c, f, response);

            // Present at once: published before the snapshot, so the
            // joiner sees itself, and others see it in the next diff.
            publish(*t, added);
            send_state(c, m, *t);
            schedule(*t);
        } else {
            reply_ok(c, f);
        }

        auto& hook = std::get<channel_index<Channel>>(hooks_).join;
        if (hook)
            hook(t->name, member_info{c.id, c.grants.identity});
    }

    template <class Channel>
    bool initial_presence(connection& c, detail::subscriber<Channel>& s)
    {
        auto const& f = frame_;
        auto& p = s.presence;

        auto const* obj = f.payload.if_object();
        auto const* initial = obj ? obj->if_contains("presence") : nullptr;
        if (initial != nullptr && !initial->is_null()) {
            validation_failure failure;
            if (!merge_into(*initial, p.record, failure, decode_options_())) {
                reply_invalid(c, f, "invalid presence", failure);
                return false;
            }
        }

        p.meta.clear();
        encode_members(p.record, p.meta);
        if (p.meta.size() > options_.max_presence_bytes) {
            reply_error(c, f,
                        make_error_code(error::presence_too_large).message());
            return false;
        }
        p.pending_ref = refs_.next();
        return true;
    }

    decode_options decode_options_() const
    {
        decode_options o;
        o.strict = options_.strict_schemas;
        return o;
    }

    template <class Channel>
    void update_presence(connection& c, std::size_t m)
    {
        auto const& f = frame_;
        auto& t = *static_cast<topic_state<Channel>*>(c.joined[m].topic);
        auto& s = t.subscribers[c.joined[m].index];
        auto& p = s.presence;
        auto& scratch = t.presence;

        // Merge into a copy so that a refused update leaves the record as
        // it was; the copies reuse their storage from update to update.
        scratch.record = p.record;
        failure_.clear();
        if (!merge_into(f.payload, scratch.record, failure_,
                        decode_options_())) {
            reply_invalid(c, f, "invalid presence", failure_);
            return;
        }

        scratch.meta.clear();
        encode_members(scratch.record, scratch.meta);
        if (scratch.meta.size() > options_.max_presence_bytes) {
            reply_error(c, f,
                        make_error_code(error::presence_too_large).message());
            return;
        }

        // The same record again (a repeated cursor position, a field the
        // schema drops) is no new version: no ref, no diff for everyone.
        if (scratch.meta == p.meta) {
            reply_ref(c, f, p.pending_ref);
            return;
        }

        using std::swap;
        swap(p.record, scratch.record);
        swap(p.meta, scratch.meta);
        refs_.next(p.pending_ref);
        if (!p.dirty) {
            p.dirty = true;
            ++t.dirty;
        }

        reply_ref(c, f, p.pending_ref);
        schedule(t);
    }

    void reply_ref(connection const& c, frame const& f, std::string_view ref)
    {
        response_.assign("{\"ref\":");
        encode_string(ref, response_);
        response_ += '}';
        reply_ok(c, f, response_);
    }

    // ---------------------------------------------------------------
    // presence

    // Moves the subscriber's current record into the topic's pending
    // diff: a leave of what others last saw and a join of the new version.
    template <class Channel>
    void publish(topic_state<Channel>& t, detail::subscriber<Channel>& s)
    {
        auto& p = s.presence;
        auto const& key = s.owner->grants.identity;

        if (p.published) {
            t.presence.builder.leave(key, p.published_ref, p.published_meta);
            scratch_.assign("\"phx_ref_prev\":");
            encode_string(p.published_ref, scratch_);
            if (!p.meta.empty()) {
                scratch_ += ',';
                scratch_ += p.meta;
            }
            t.presence.builder.join(key, p.pending_ref, scratch_);
        } else {
            t.presence.builder.join(key, p.pending_ref, p.meta);
        }

        p.published_ref = p.pending_ref;
        p.published_meta = p.meta;
        p.published = true;
        if (p.dirty) {
            p.dirty = false;
            if (t.dirty > 0)
                --t.dirty;
        }
    }

    template <class Channel>
    void send_state(connection& c, membership const& m,
                    topic_state<Channel>& t)
    {
        // Group the published records by identity; the snapshot lists
        // each key once with all of its entries.
        order_.clear();
        for (std::size_t i = 0; i < t.subscribers.size(); ++i)
            if (t.subscribers[i].presence.published)
                order_.push_back(i);
        std::sort(order_.begin(), order_.end(),
                  [&](std::size_t a, std::size_t b) {
                      auto const& x = *t.subscribers[a].owner;
                      auto const& y = *t.subscribers[b].owner;
                      if (x.identity_hash != y.identity_hash)
                          return x.identity_hash < y.identity_hash;
                      return x.grants.identity < y.grants.identity;
                  });

        scratch_.assign("{");
        std::string_view current;
        for (std::size_t k = 0; k < order_.size(); ++k) {
            auto const& s = t.subscribers[order_[k]];
            auto const& key = s.owner->grants.identity;
            if (k == 0 || key != current) {
                if (k != 0)
                    scratch_ += "]},";
                encode_string(key, scratch_);
                scratch_ += ":{\"metas\":[";
                current = key;
            } else {
                scratch_ += ',';
            }
            scratch_ += "{\"phx_ref\":";
            encode_string(s.presence.published_ref, scratch_);
            if (!s.presence.published_meta.empty()) {
                scratch_ += ',';
                scratch_ += s.presence.published_meta;
            }
            scratch_ += '}';
        }
        if (!order_.empty())
            scratch_ += "]}";
        scratch_ += '}';

        actions_.send(c.id, encode_to_one(m.join_ref, std::nullopt,
                                          m.topic_name, event::presence_state,
                                          scratch_));
    }

    template <class Channel>
    void schedule(topic_state<Channel>& t)
    {
        if (t.scheduled)
            return;
        t.scheduled = true;
        if (options_.presence_window.count() == 0) {
            ready_.push_back({now_, channel_index<Channel>, &t});
            return;
        }
        enqueue({now_ + options_.presence_window, channel_index<Channel>, &t});
    }

    // Keeps flushes_ ordered by due time: a topic held back by the rate
    // limit waits longer than a window, and must not hold back the topics
    // scheduled after it.
    void enqueue(scheduled_flush const& f)
    {
        auto const at = std::upper_bound(
            flushes_.begin(), flushes_.end(), f,
            [](auto const& a, auto const& b) { return a.due < b.due; });
        flushes_.insert(at, f);
    }

    // Flushes topics that asked for an immediate diff during this event.
    void flush_ready()
    {
        while (!ready_.empty()) {
            auto const due = ready_.back();
            ready_.pop_back();
            Tree::with_channel(due.channel, [&](auto id) {
                using channel = typename decltype(id)::type;
                flush(*static_cast<topic_state<channel>*>(due.topic));
            });
        }
    }

    bool take_token(connection& c)
    {
        auto const rate = options_.max_presence_updates_per_second;
        if (rate <= 0)
            return true;
        std::chrono::duration<double> const elapsed = now_ - c.refilled;
        c.refilled = now_;
        c.tokens = std::min(rate, c.tokens + elapsed.count() * rate);
        if (c.tokens < 1)
            return false;
        c.tokens -= 1;
        return true;
    }

    template <class Channel>
    void flush(topic_state<Channel>& t)
    {
        t.scheduled = false;

        bool held = false;
        if constexpr (has_presence_v<Channel>) {
            if (t.dirty > 0) {
                for (auto& s : t.subscribers) {
                    if (!s.presence.dirty)
                        continue;
                    if (take_token(*s.owner))
                        publish(t, s);
                    else
                        held = true;
                }
            }

            if (!t.presence.builder.empty()) {
                scratch_.clear();
                t.presence.builder.encode(scratch_);
                t.presence.builder.clear();
                auto frame = encode_broadcast(t.name.str(),
                                              event::presence_diff, scratch_);
                for (auto const& s : t.subscribers)
                    if (!s.owner->congested)
                        actions_.send(s.connection, frame);
            }
        }

        if (held) {
            // Rate-limited records stay merged and waiting; try again
            // when the slowest bucket has a token.
            auto const rate = options_.max_presence_updates_per_second;
            auto const wait = std::chrono::duration_cast<clock::duration>(
                std::chrono::duration<double>(1.0 / rate));
            t.scheduled = true;
            enqueue({now_ + std::max(wait, clock::duration(
                                               options_.presence_window)),
                     channel_index<Channel>, &t});
            return;
        }

        if (t.subscribers.empty())
            erase_topic(t);
    }

    template <class Channel>
    void erase_topic(topic_state<Channel>& t)
    {
        auto& map = std::get<channel_index<Channel>>(topics_);
        map.erase(t.name.str());
    }

    // Removes connection c from the topic of its membership m: the one
    // path out of a topic, whatever the reason.
    void leave_membership(connection& c, std::size_t m, leave_reason reason)
    {
        Tree::with_channel(c.joined[m].channel, [&](auto id) {
            using channel = typename decltype(id)::type;
            leave_topic<channel>(c, m, reason);
        });
    }

    template <class Channel>
    void leave_topic(connection& c, std::size_t m, leave_reason reason)
    {
        auto& t = *static_cast<topic_state<Channel>*>(c.joined[m].topic);
        auto const index = c.joined[m].index;

        if constexpr (has_presence_v<Channel>) {
            auto& p = t.subscribers[index].presence;
            if (p.published)
                t.presence.builder.leave(c.grants.identity, p.published_ref,
                                         p.published_meta);
            if (p.dirty && t.dirty > 0)
                --t.dirty;
        }

        // Swap-remove, and tell the moved subscriber's connection where
        // its entry went.
        if (index + 1 != t.subscribers.size()) {
            t.subscribers[index] = std::move(t.subscribers.back());
            auto& moved = t.subscribers[index];
            moved.owner->joined[moved.owner->find(t.name.str())].index = index;
        }
        t.subscribers.pop_back();

        if (c.joined.size() > m + 1)
            c.joined[m] = std::move(c.joined.back());
        c.joined.pop_back();

        auto& hook = std::get<channel_index<Channel>>(hooks_).leave;
        if (hook)
            hook(t.name, member_info{c.id, c.grants.identity}, reason);

        if (t.subscribers.empty()) {
            // Nobody is left to receive a diff.
            if constexpr (has_presence_v<Channel>)
                t.presence.builder.clear();
            if (!t.scheduled)
                erase_topic(t);
        } else if constexpr (has_presence_v<Channel>) {
            schedule(t);
        }
    }

    void leave_all(connection& c, leave_reason reason)
    {
        while (!c.joined.empty())
            leave_membership(c, c.joined.size() - 1, reason);
    }

    void arm_idle_sweep(time_point now)
    {
        if (idle_sweep_ || options_.idle_timeout.count() <= 0)
            return;
        idle_sweep_ = now + sweep_interval();
    }

    clock::duration sweep_interval() const
    {
        // Checking a few times per timeout keeps the overshoot small
        // without visiting every connection on every event.
        return std::max(clock::duration(std::chrono::milliseconds(10)),
                        clock::duration(options_.idle_timeout) / 4);
    }

    void sweep_idle(time_point now)
    {
        idle_sweep_.reset();
        for (auto& [id, c] : connections_) {
            if (c.closing)
                continue;
            if (now - c.last_seen >= options_.idle_timeout) {
                log(log_level::info, "closing idle connection ",
                    c.grants.identity);
                leave_all(c, leave_reason::idle);
                c.closing = true;
                actions_.close(id, close_code::policy_violation,
                               make_error_code(error::idle_timeout).message());
            }
        }
        if (!connections_.empty())
            idle_sweep_ = now + sweep_interval();
    }

    server_options options_;
    frame_parser parser_;
    frame frame_;
    validation_failure failure_;
    std::string scratch_;
    std::string response_;
    detail::frame_pool replies_;
    std::vector<std::size_t> order_;
    presence_ref_generator refs_;

    connect_hook connect_hook_;
    log_hook log_;
    hooks_tuple hooks_;

    std::unordered_map<connection_id, connection> connections_;
    connection_id last_connection_id_ = 0;
    topics_tuple topics_;

    std::deque<scheduled_flush> flushes_;
    std::vector<scheduled_flush> ready_;
    std::optional<time_point> idle_sweep_;
    time_point now_{};
    bool stopped_ = false;

    action_queue actions_;
};

} // namespace sock8

#endif
