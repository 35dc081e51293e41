//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_CHANNEL_HPP
#define SOCK8_CHANNEL_HPP

#include <sock8/fixed_string.hpp>
#include <sock8/path.hpp>
#include <sock8/topic.hpp>

#include <boost/system/result.hpp>

#include <array>
#include <cstddef>
#include <cstdlib>
#include <string_view>
#include <type_traits>

namespace sock8 {

/** Channel option: the channel carries presence records of type P.

    @tparam P The presence schema, a class type (a described struct).
*/
template <class P>
struct presence
{
};

namespace detail {

template <class T>
struct presence_option : std::false_type
{
};

template <class P>
struct presence_option<presence<P>> : std::true_type
{
    using type = P;
};

template <class... Options>
struct presence_of
{
    using type = void;
};

template <class First, class... Rest>
struct presence_of<First, Rest...>
{
    using type = std::conditional_t<presence_option<First>::value,
                                    typename presence_option<First>::type,
                                    typename presence_of<Rest...>::type>;
};

} // namespace detail

/** A channel: a path pattern, the message on it and its options.

    Declared once as a type alias and used everywhere by that name:
    @code
    using chat = sock8::channel<"chat.{roomId}.messages", chat_message,
                                sock8::presence<chat_presence>>;
    auto t = chat::topic("lobby");    // "chat.lobby.messages"
    @endcode

    @tparam Path The path pattern; see sock8::path for its rules.
    @tparam Message The message type, a class type.
    @tparam Options Zero or one `sock8::presence<P>`.

    @note Every misuse (bad path, non-class message, unknown option) is a
    static_assert whose message starts with "sock8: ".
*/
template <fixed_string Path, class Message, class... Options>
struct channel
{
    static_assert(std::is_class_v<Message>,
                  "sock8: the message type of a channel must be a class "
                  "type, such as a described struct");
    static_assert((detail::presence_option<Options>::value && ...),
                  "sock8: unknown channel option; the only option is "
                  "sock8::presence<YourPresence>");
    static_assert(
        (0 + ... + int(detail::presence_option<Options>::value)) <= 1,
        "sock8: a channel takes at most one sock8::presence option");

    /// The checked pattern and its segment table.
    using path_type = ::sock8::path<Path>;

    /// The pattern, "chat.{roomId}.messages".
    static constexpr std::string_view path = Path.view();

    /// The message type.
    using message_type = Message;

    /// P when Options hold presence<P>, else void.
    using presence_type = typename detail::presence_of<Options...>::type;

    static_assert(std::is_void_v<presence_type> ||
                      std::is_class_v<presence_type>,
                  "sock8: the presence type of a channel must be a class "
                  "type, such as a described struct");

    /// True when the channel declares a presence schema.
    static constexpr bool has_presence = !std::is_void_v<presence_type>;

    /// The number of `{name}` segments.
    static constexpr std::size_t parameter_count = path_type::parameter_count;

    /// The parameter names in path order.
    static constexpr std::array<std::string_view, parameter_count>
        parameter_names = path_type::parameter_names;

    /** Makes a topic of this channel.

        Values are positional in path order, `chat::topic("lobby")`, or
        named, `chat::topic("roomId"_param = "lobby")`. A wrong count, an
        unknown, missing or repeated name, or a mix of both forms does not
        compile.

        @param args The parameter values, convertible to std::string_view.
        @returns The topic.
        @throws boost::system::system_error when a value is empty, longer
        than 128 bytes or has a character outside the parameter set; what()
        names the channel, the parameter and the value.
    */
    template <class... Args>
        requires(!detail::starts_with_failure<Args...>::value)
    static ::sock8::topic<channel> topic(Args&&... args)
    {
        if constexpr (detail::check_topic_arguments<channel, Args...>()) {
            parameter_error failure;
            auto r = detail::topic_access::make<channel>(
                detail::topic_values<channel>(std::forward<Args>(args)...),
                &failure);

            if (!r)
                detail::throw_parameter_error<channel>(failure);
            return std::move(*r);
        } else {
            // The static_assert above has already stopped the build.
            std::abort();
        }
    }

    /** Makes a topic of this channel without throwing.

        @param args As for topic().
        @returns The topic, or empty_parameter, parameter_too_long or
        invalid_parameter_character.
    */
    template <class... Args>
        requires(!detail::starts_with_failure<Args...>::value)
    static boost::system::result<::sock8::topic<channel>>
    try_topic(Args&&... args)
    {
        return try_topic_(nullptr, std::forward<Args>(args)...);
    }

    /** Makes a topic of this channel without throwing, and says which
        parameter was refused.

        @param failure Filled when the result holds an error.
        @param args As for topic().
        @returns As the overload without `failure`.
    */
    template <class... Args>
    static boost::system::result<::sock8::topic<channel>>
    try_topic(parameter_error& failure, Args&&... args)
    {
        return try_topic_(&failure, std::forward<Args>(args)...);
    }

    /** Parses a concrete topic string of this channel.

        @param text A topic such as "chat.lobby.messages".
        @returns The topic, unmatched_topic when the text does not have
        this channel's shape, or the error of the first refused value.
    */
    static boost::system::result<::sock8::topic<channel>>
    parse_topic(std::string_view text)
    {
        return detail::topic_access::parse<channel>(text, nullptr);
    }

    /** As parse_topic(text), and fills `failure` on error. */
    static boost::system::result<::sock8::topic<channel>>
    parse_topic(std::string_view text, parameter_error& failure)
    {
        return detail::topic_access::parse<channel>(text, &failure);
    }

private:
    template <class... Args>
    static boost::system::result<::sock8::topic<channel>>
    try_topic_(parameter_error* failure, Args&&... args)
    {
        if constexpr (detail::check_topic_arguments<channel, Args...>()) {
            return detail::topic_access::make<channel>(
                detail::topic_values<channel>(std::forward<Args>(args)...),
                failure);
        } else {
            std::abort();
        }
    }
};

namespace detail {

template <class T>
struct is_channel : std::false_type
{
};

template <fixed_string Path, class Message, class... Options>
struct is_channel<channel<Path, Message, Options...>> : std::true_type
{
};

} // namespace detail

/// Satisfied by every `sock8::channel<...>`.
template <class T>
concept channel_type = detail::is_channel<T>::value;

/// True when channel C declares `sock8::presence<P>`.
template <class C>
inline constexpr bool has_presence_v = C::has_presence;

/// The presence type of C, or void.
template <class C>
using presence_type_t = typename C::presence_type;

/// The message type of C.
template <class C>
using message_type_t = typename C::message_type;

/** Stops the build when C has no presence schema.

    Presence APIs of other layers call this first, so the user reads one
    plain sentence instead of a substitution failure.

    @tparam C A channel.
*/
template <class C>
constexpr void require_presence() noexcept
{
    static_assert(channel_type<C>, "sock8: this type is not a sock8::channel");
    if constexpr (channel_type<C>) {
        static_assert(C::has_presence,
                      "sock8: this channel has no presence schema; declare it "
                      "with sock8::presence<YourPresence> to use presence");
    }
}

} // namespace sock8

#endif
