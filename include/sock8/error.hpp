//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_ERROR_HPP
#define SOCK8_ERROR_HPP

#include <boost/system/error_category.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/error_condition.hpp>
#include <boost/system/is_error_code_enum.hpp>
#include <boost/system/is_error_condition_enum.hpp>

#include <string>

namespace sock8 {

/** Every way a sock8 operation can fail.

    Values are stable; the messages are written for the developer reading a
    reply on the other end of the wire, so they say what was expected.
    Coarser groups are available as @ref condition.
*/
enum class error
{
    // schema: a JSON value did not match a described type
    wrong_type = 1,
    missing_member,
    unknown_member,
    not_integral,
    out_of_range,
    not_finite,
    unknown_enumerator,
    too_short,
    too_long,
    too_few_items,
    too_many_items,
    too_many_errors,

    // channels: a parameter value or topic was refused
    empty_parameter,
    parameter_too_long,
    invalid_parameter_character,
    unmatched_topic,

    // protocol: a frame was refused
    invalid_json,
    malformed_frame,
    frame_too_large,
    unknown_event,
    client_cannot_emit,
    not_joined,

    // authorization and limits
    unauthorized,
    too_many_channels,
    presence_too_large,
    too_many_members,
    rate_limited,
    no_presence,

    // connection life
    heartbeat_timeout,
    idle_timeout,
    server_stopped,
    send_queue_full,
};

/** Coarse groups of @ref error, for code that reacts by kind. */
enum class condition
{
    schema_violation = 1,
    parameter_violation,
    protocol_violation,
    authorization_failed,
    limit_exceeded,
    connection_lost,
};

namespace detail {

class error_category_impl : public boost::system::error_category
{
public:
    constexpr error_category_impl() noexcept
        : boost::system::error_category(0x50c8e0a1b2c3d4e5ull)
    {
    }

    char const* name() const noexcept override { return "sock8"; }

    std::string message(int ev) const override
    {
        return message(ev, nullptr, 0);
    }

    char const* message(int ev, char*, std::size_t) const noexcept override
    {
        switch (static_cast<error>(ev)) {
        case error::wrong_type: return "value has the wrong type";
        case error::missing_member: return "required member is missing";
        case error::unknown_member: return "member is not in the schema";
        case error::not_integral: return "number is not an integer";
        case error::out_of_range: return "number is out of range";
        case error::not_finite: return "number is not finite";
        case error::unknown_enumerator: return "unknown enumerator name";
        case error::too_short: return "string is too short";
        case error::too_long: return "string is too long";
        case error::too_few_items: return "too few items";
        case error::too_many_items: return "too many items";
        case error::too_many_errors: return "too many errors; stopped";
        case error::empty_parameter: return "parameter value is empty";
        case error::parameter_too_long: return "parameter value is too long";
        case error::invalid_parameter_character:
            return "parameter value has a character that is not allowed";
        case error::unmatched_topic: return "unmatched topic";
        case error::invalid_json: return "frame is not valid JSON";
        case error::malformed_frame:
            return "frame is not [join_ref, ref, topic, event, payload]";
        case error::frame_too_large: return "frame is too large";
        case error::unknown_event: return "unknown event";
        case error::client_cannot_emit:
            return "clients cannot emit messages; only the server emits";
        case error::not_joined: return "topic is not joined";
        case error::unauthorized: return "unauthorized";
        case error::too_many_channels: return "too many channels joined";
        case error::presence_too_large: return "presence record is too large";
        case error::too_many_members: return "too many members in channel";
        case error::rate_limited: return "too many messages; slow down";
        case error::no_presence: return "channel has no presence schema";
        case error::heartbeat_timeout: return "heartbeat timeout";
        case error::idle_timeout: return "idle timeout";
        case error::server_stopped: return "server stopped";
        case error::send_queue_full: return "send queue full; reader too slow";
        }
        return "unknown sock8 error";
    }

    boost::system::error_condition
    default_error_condition(int ev) const noexcept override;
};

class condition_category_impl : public boost::system::error_category
{
public:
    constexpr condition_category_impl() noexcept
        : boost::system::error_category(0x50c8e0a1b2c3d4e6ull)
    {
    }

    char const* name() const noexcept override { return "sock8.condition"; }

    std::string message(int ev) const override
    {
        return message(ev, nullptr, 0);
    }

    char const* message(int ev, char*, std::size_t) const noexcept override
    {
        switch (static_cast<condition>(ev)) {
        case condition::schema_violation: return "schema violation";
        case condition::parameter_violation: return "parameter violation";
        case condition::protocol_violation: return "protocol violation";
        case condition::authorization_failed: return "authorization failed";
        case condition::limit_exceeded: return "limit exceeded";
        case condition::connection_lost: return "connection lost";
        }
        return "unknown sock8 condition";
    }
};

inline constexpr error_category_impl error_category_instance{};
inline constexpr condition_category_impl condition_category_instance{};

inline boost::system::error_condition
error_category_impl::default_error_condition(int ev) const noexcept
{
    auto const in = [ev](error first, error last) {
        return ev >= static_cast<int>(first) && ev <= static_cast<int>(last);
    };
    auto const make = [](condition c) {
        return boost::system::error_condition(static_cast<int>(c),
                                              condition_category_instance);
    };

    if (in(error::wrong_type, error::too_many_errors))
        return make(condition::schema_violation);
    if (in(error::empty_parameter, error::unmatched_topic))
        return make(condition::parameter_violation);
    if (in(error::invalid_json, error::not_joined))
        return make(condition::protocol_violation);
    if (in(error::unauthorized, error::unauthorized))
        return make(condition::authorization_failed);
    if (in(error::too_many_channels, error::no_presence))
        return make(condition::limit_exceeded);
    return make(condition::connection_lost);
}

} // namespace detail

/** The category of @ref error codes. */
inline boost::system::error_category const& error_category() noexcept
{
    return detail::error_category_instance;
}

/** The category of @ref condition values. */
inline boost::system::error_category const& condition_category() noexcept
{
    return detail::condition_category_instance;
}

inline boost::system::error_code make_error_code(error e) noexcept
{
    return {static_cast<int>(e), error_category()};
}

inline boost::system::error_condition make_error_condition(condition c) noexcept
{
    return {static_cast<int>(c), condition_category()};
}

} // namespace sock8

namespace boost::system {

template <>
struct is_error_code_enum<::sock8::error> : std::true_type
{
};

template <>
struct is_error_condition_enum<::sock8::condition> : std::true_type
{
};

} // namespace boost::system

#endif
