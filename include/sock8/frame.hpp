//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_FRAME_HPP
#define SOCK8_FRAME_HPP

// Phoenix Channels V2 frames: `[join_ref, ref, topic, event, payload]`.
//
// Parsing checks the shape only; what a topic or an event means is the
// business of the cores. docs/protocol.md describes the wire for people
// writing a client in another language.

#include <sock8/detail/json_escape.hpp>
#include <sock8/error.hpp>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/memory_resource.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sock8 {

/** A parsed incoming frame.

    @note When the frame came from a @ref frame_parser, `payload` lives in
    that parser's memory: it stays valid until the next call to
    `frame_parser::parse` or the parser's destruction. A plain copy of a
    Boost.JSON value shares the memory of the original, so keep a payload
    with `boost::json::value(f.payload, boost::json::storage_ptr())`.
*/
struct frame
{
    /// The ref of the `phx_join` that created the channel instance.
    std::optional<std::string> join_ref;
    /// The client's ref of this message; a reply echoes it.
    std::optional<std::string> ref;
    /// The topic, never empty after a successful parse.
    std::string topic;
    /// The event, never empty after a successful parse.
    std::string event;
    /// Always an object after a successful parse.
    boost::json::value payload;
};

/** The event names of the Phoenix protocol that sock8 uses. */
namespace event {
/// Client joins a topic.
inline constexpr std::string_view join = "phx_join";
/// Client leaves a topic.
inline constexpr std::string_view leave = "phx_leave";
/// Server answers a message that carried a ref.
inline constexpr std::string_view reply = "phx_reply";
/// Server closed the channel instance; the client does not rejoin.
inline constexpr std::string_view close = "phx_close";
/// The channel instance failed; the client rejoins.
inline constexpr std::string_view error = "phx_error";
/// Client keep-alive on @ref phoenix_topic.
inline constexpr std::string_view heartbeat = "heartbeat";
/// Server sends the full presence roster to a joiner.
inline constexpr std::string_view presence_state = "presence_state";
/// Server sends joins and leaves of presence metas.
inline constexpr std::string_view presence_diff = "presence_diff";
/// Client sets or updates its own presence record.
inline constexpr std::string_view presence = "presence";
/// Server emits an application message.
inline constexpr std::string_view message = "message";
} // namespace event

/** The reserved topic heartbeats travel on. */
inline constexpr std::string_view phoenix_topic = "phoenix";

/** Bounds a @ref frame_parser enforces. */
struct frame_limits
{
    /// Longest accepted frame text, in bytes.
    std::size_t max_frame_bytes = 64 * 1024;
};

namespace detail {

// The memory a frame_parser builds payloads in. Allocation bumps a pointer;
// reset() forgets everything at once and, when a frame overflowed the main
// block, grows the main block so that frames of that size need no
// allocation from then on.
class frame_arena : public boost::json::memory_resource
{
public:
    explicit frame_arena(std::size_t initial) : main_(make_block(initial)) {}

    void reset()
    {
        if (extra_total_ != 0) {
            std::size_t const size = main_.size + extra_total_;
            extra_.clear();
            extra_total_ = 0;
            main_ = make_block(size);
        }
        main_pos_ = 0;
        extra_pos_ = 0;
    }

private:
    struct block
    {
        std::unique_ptr<unsigned char[]> data;
        std::size_t size = 0;
    };

    static block make_block(std::size_t size)
    {
        return {std::make_unique_for_overwrite<unsigned char[]>(size), size};
    }

    static void* bump(block& b, std::size_t& pos, std::size_t n,
                      std::size_t align) noexcept
    {
        void* p = b.data.get() + pos;
        std::size_t space = b.size - pos;
        if (!std::align(align, n, p, space))
            return nullptr;
        pos = b.size - space + n;
        return p;
    }

    void* do_allocate(std::size_t n, std::size_t align) override
    {
        if (void* p = bump(main_, main_pos_, n, align))
            return p;
        if (!extra_.empty())
            if (void* p = bump(extra_.back(), extra_pos_, n, align))
                return p;

        std::size_t const size = std::max(n + align, main_.size);
        extra_.push_back(make_block(size));
        extra_total_ += size;
        extra_pos_ = 0;
        return bump(extra_.back(), extra_pos_, n, align);
    }

    void do_deallocate(void*, std::size_t, std::size_t) override {}

    bool do_is_equal(
        boost::json::memory_resource const& other) const noexcept override
    {
        return this == &other;
    }

    block main_;
    std::size_t main_pos_ = 0;
    std::vector<block> extra_;
    std::size_t extra_pos_ = 0;
    std::size_t extra_total_ = 0;
};

} // namespace detail
} // namespace sock8

namespace boost::json {
template <>
struct is_deallocate_trivial<::sock8::detail::frame_arena> : std::true_type
{
};
} // namespace boost::json

namespace sock8 {
namespace detail {

inline void set_ref(std::optional<std::string>& target, std::string_view s)
{
    // Assigning into the engaged string keeps its capacity across frames.
    if (target)
        target->assign(s);
    else
        target.emplace(s);
}

template <class Integer>
void set_ref_number(std::optional<std::string>& target, Integer i)
{
    char buf[24];
    auto const r = std::to_chars(buf, buf + sizeof buf, i);
    set_ref(target,
            std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
}

// A SAX handler that reads join_ref, ref and topic from the start of a
// frame that failed to parse, and stops as soon as it has them.
class frame_prefix_handler
{
public:
    static constexpr std::size_t max_object_size = std::size_t(-1);
    static constexpr std::size_t max_array_size = std::size_t(-1);
    static constexpr std::size_t max_key_size = std::size_t(-1);
    static constexpr std::size_t max_string_size = std::size_t(-1);

    explicit frame_prefix_handler(frame& f) : f_(f) {}

    bool on_document_begin(boost::system::error_code&) { return true; }
    bool on_document_end(boost::system::error_code&) { return true; }

    bool on_array_begin(boost::system::error_code& ec)
    {
        ++depth_;
        return depth_ == 1 || before_value(ec);
    }

    bool on_array_end(std::size_t, boost::system::error_code& ec)
    {
        --depth_;
        return depth_ != 1 || after_value(ec);
    }

    bool on_object_begin(boost::system::error_code& ec)
    {
        if (depth_ == 0)
            return stop(ec);
        ++depth_;
        return before_value(ec);
    }

    bool on_object_end(std::size_t, boost::system::error_code& ec)
    {
        --depth_;
        return depth_ != 1 || after_value(ec);
    }

    bool on_string_part(boost::json::string_view s, std::size_t,
                        boost::system::error_code& ec)
    {
        if (depth_ == 0)
            return stop(ec);
        if (depth_ == 1)
            text_.append(s.data(), s.size());
        return true;
    }

    bool on_string(boost::json::string_view s, std::size_t,
                   boost::system::error_code& ec)
    {
        if (depth_ == 0)
            return stop(ec);
        if (depth_ != 1)
            return true;

        text_.append(s.data(), s.size());
        if (index_ == 0)
            set_ref(f_.join_ref, text_);
        else if (index_ == 1)
            set_ref(f_.ref, text_);
        else if (index_ == 2 && !text_.empty())
            f_.topic = text_;
        text_.clear();
        return after_value(ec);
    }

    bool on_key_part(boost::json::string_view, std::size_t,
                     boost::system::error_code&)
    {
        return true;
    }

    bool on_key(boost::json::string_view, std::size_t,
                boost::system::error_code&)
    {
        return true;
    }

    bool on_number_part(boost::json::string_view, boost::system::error_code&)
    {
        return true;
    }

    bool on_int64(std::int64_t i, boost::json::string_view,
                  boost::system::error_code& ec)
    {
        if (depth_ == 1 && index_ < 2)
            set_ref_number(index_ == 0 ? f_.join_ref : f_.ref, i);
        return scalar(ec);
    }

    bool on_uint64(std::uint64_t u, boost::json::string_view,
                   boost::system::error_code& ec)
    {
        if (depth_ == 1 && index_ < 2)
            set_ref_number(index_ == 0 ? f_.join_ref : f_.ref, u);
        return scalar(ec);
    }

    bool on_double(double, boost::json::string_view,
                   boost::system::error_code& ec)
    {
        return scalar(ec);
    }

    bool on_bool(bool, boost::system::error_code& ec) { return scalar(ec); }
    bool on_null(boost::system::error_code& ec) { return scalar(ec); }

    bool on_comment_part(boost::json::string_view, boost::system::error_code&)
    {
        return true;
    }

    bool on_comment(boost::json::string_view, boost::system::error_code&)
    {
        return true;
    }

private:
    static bool stop(boost::system::error_code& ec)
    {
        ec = error::malformed_frame;
        return false;
    }

    bool scalar(boost::system::error_code& ec)
    {
        if (depth_ == 0)
            return stop(ec);
        return depth_ != 1 || after_value(ec);
    }

    // A container as element 0, 1 or 2 leaves that element unrecovered.
    bool before_value(boost::system::error_code&) { return true; }

    bool after_value(boost::system::error_code& ec)
    {
        ++index_;
        return index_ <= 2 || stop(ec);
    }

    frame& f_;
    std::string text_;
    int depth_ = 0;
    int index_ = 0;
};

// Replaces a value without the copy that assignment makes when the two
// values use different memory resources.
inline void replace_value(boost::json::value& target,
                          boost::json::value&& source) noexcept
{
    std::destroy_at(&target);
    std::construct_at(&target, std::move(source));
}

} // namespace detail

/** Parses incoming frame texts, reusing its parser and memory.

    One parser serves any number of frames, one after the other. Parsing
    allocates nothing once the memory has grown to fit the largest frame
    seen.

    The shape is checked strictly: a JSON array of exactly five elements;
    `join_ref` and `ref` a string or null; `topic` and `event` non-empty
    strings; `payload` an object.

    @note The stock client always sends refs as strings. An integer ref is
    accepted anyway and turned into its decimal string, so that a reply
    echoes it as a string; any other number, a boolean, an array or an
    object there is malformed.

    @note Payloads nested deeper than 32 levels are refused as
    `error::invalid_json` (Boost.JSON's default depth limit).

    @note Not thread-safe: use one parser per thread.
*/
class frame_parser
{
public:
    /** Constructor.

        @param limits The bounds to enforce.
        @param initial_memory Bytes of payload memory allocated up front.
    */
    explicit frame_parser(frame_limits limits = {},
                          std::size_t initial_memory = 4096)
        : limits_(limits), arena_(initial_memory)
    {
    }

    frame_parser(frame_parser const&) = delete;
    frame_parser& operator=(frame_parser const&) = delete;

    /** The bounds this parser enforces. */
    frame_limits const& limits() const noexcept { return limits_; }

    /** Parses one frame text into f.

        @param text The complete text of one WebSocket message.
        @param f Receives the frame. Its strings keep their capacity.
        @param ec Set on failure to `error::frame_too_large` (longer than
        `limits().max_frame_bytes`), `error::invalid_json` or
        `error::malformed_frame`; cleared on success.

        @returns true on success.

        @note On failure, whatever of `join_ref`, `ref` and `topic` could
        be read from the start of the text is kept in f, the rest is empty,
        so the caller can still address an error reply. The payload of the
        frame previously parsed into any frame by this parser becomes
        invalid.
    */
    bool parse(std::string_view text, frame& f, boost::system::error_code& ec)
    {
        detail::replace_value(f.payload, boost::json::value());
        f.join_ref.reset();
        f.ref.reset();
        f.topic.clear();
        f.event.clear();

        if (text.size() > limits_.max_frame_bytes) {
            // Only the start is read: the refs and the topic come first.
            recover(text.substr(0, recovery_bytes), f);
            ec = error::frame_too_large;
            return false;
        }

        arena_.reset();
        parser_.reset(boost::json::storage_ptr(&arena_));
        boost::system::error_code json_ec;
        parser_.write(text.data(), text.size(), json_ec);
        if (json_ec) {
            recover(text, f);
            ec = error::invalid_json;
            return false;
        }

        boost::json::value v = parser_.release();
        if (!check(v, f)) {
            ec = error::malformed_frame;
            return false;
        }

        ec = {};
        return true;
    }

private:
    static constexpr std::size_t recovery_bytes = 4096;

    static void recover(std::string_view text, frame& f)
    {
        boost::json::basic_parser<detail::frame_prefix_handler> p(
            boost::json::parse_options(), f);
        boost::system::error_code ec;
        p.write_some(true, text.data(), text.size(), ec);
    }

    static bool read_ref(boost::json::value const& v,
                         std::optional<std::string>& target)
    {
        switch (v.kind()) {
        case boost::json::kind::null:
            return true;
        case boost::json::kind::string:
            detail::set_ref(target, v.get_string());
            return true;
        case boost::json::kind::int64:
            detail::set_ref_number(target, v.get_int64());
            return true;
        case boost::json::kind::uint64:
            detail::set_ref_number(target, v.get_uint64());
            return true;
        default:
            return false;
        }
    }

    static bool read_name(boost::json::value const& v, std::string& target)
    {
        if (!v.is_string() || v.get_string().empty())
            return false;
        target.assign(v.get_string().data(), v.get_string().size());
        return true;
    }

    // Reads every element it can, even after a bad one, so that a reply
    // can be addressed; success needs all five to be right.
    static bool check(boost::json::value& v, frame& f)
    {
        if (!v.is_array())
            return false;

        auto& a = v.get_array();
        bool ok = a.size() == 5;
        if (a.size() > 0)
            ok = read_ref(a[0], f.join_ref) && ok;
        if (a.size() > 1)
            ok = read_ref(a[1], f.ref) && ok;
        if (a.size() > 2)
            ok = read_name(a[2], f.topic) && ok;
        if (a.size() > 3)
            ok = read_name(a[3], f.event) && ok;
        if (!ok || !a[4].is_object()) {
            f.event.clear();
            return false;
        }

        detail::replace_value(f.payload, std::move(a[4]));
        return true;
    }

    frame_limits limits_;
    detail::frame_arena arena_;
    boost::json::parser parser_;
};

namespace detail {

inline void append_ref(std::string& out, std::optional<std::string_view> r)
{
    if (r)
        append_json_string(out, *r);
    else
        out.append("null");
}

inline void append_frame_head(std::string& out,
                              std::optional<std::string_view> join_ref,
                              std::optional<std::string_view> ref,
                              std::string_view topic, std::string_view event)
{
    out.push_back('[');
    append_ref(out, join_ref);
    out.push_back(',');
    append_ref(out, ref);
    out.push_back(',');
    append_json_string(out, topic);
    out.push_back(',');
    append_json_string(out, event);
    out.push_back(',');
}

} // namespace detail

/** Appends a complete frame text to out.

    @param out The buffer to append to; what it holds is kept.
    @param join_ref The join ref, or `std::nullopt` for null.
    @param ref The ref, or `std::nullopt` for null.
    @param topic The topic; escaped.
    @param event The event; escaped.
    @param payload_json The payload, already JSON text of an object;
    copied as is.

    Example: `encode_frame(out, std::nullopt, std::nullopt, "room.1",
    "message", "{}")` appends `[null,null,"room.1","message",{}]`.
*/
inline void encode_frame(std::string& out,
                         std::optional<std::string_view> join_ref,
                         std::optional<std::string_view> ref,
                         std::string_view topic, std::string_view event,
                         std::string_view payload_json)
{
    detail::append_frame_head(out, join_ref, ref, topic, event);
    out.append(payload_json);
    out.push_back(']');
}

/** Appends a `phx_reply` frame with status "ok" to out.

    @param out The buffer to append to.
    @param join_ref The join ref of the channel instance, or null.
    @param ref The ref of the message answered; echoed unchanged.
    @param topic The topic of the message answered.
    @param response_json The response, JSON text of an object; copied as is.

    Appends `[J,R,"topic","phx_reply",{"status":"ok","response":{...}}]`.
*/
inline void encode_reply_ok(std::string& out,
                            std::optional<std::string_view> join_ref,
                            std::optional<std::string_view> ref,
                            std::string_view topic,
                            std::string_view response_json = "{}")
{
    detail::append_frame_head(out, join_ref, ref, topic, event::reply);
    out.append("{\"status\":\"ok\",\"response\":");
    out.append(response_json);
    out.append("}]");
}

/** Appends a `phx_reply` frame with status "error" to out.

    @param out The buffer to append to.
    @param join_ref The join ref of the channel instance, or null.
    @param ref The ref of the message answered; echoed unchanged.
    @param topic The topic of the message answered.
    @param reason The human-readable reason; escaped.
    @param extra_members_json More members of the response object, JSON
    member text without braces such as `"errors":[...]`; copied as is.

    Appends
    `[J,R,"topic","phx_reply",{"status":"error","response":{"reason":"..."}}]`,
    with the extra members after the reason.
*/
inline void encode_reply_error(std::string& out,
                               std::optional<std::string_view> join_ref,
                               std::optional<std::string_view> ref,
                               std::string_view topic, std::string_view reason,
                               std::string_view extra_members_json = {})
{
    detail::append_frame_head(out, join_ref, ref, topic, event::reply);
    out.append("{\"status\":\"error\",\"response\":{\"reason\":");
    detail::append_json_string(out, reason);
    if (!extra_members_json.empty()) {
        out.push_back(',');
        out.append(extra_members_json);
    }
    out.append("}}]");
}

} // namespace sock8

#endif
