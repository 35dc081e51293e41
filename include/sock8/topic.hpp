//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_TOPIC_HPP
#define SOCK8_TOPIC_HPP

#include <sock8/detail/topic_match.hpp>
#include <sock8/error.hpp>
#include <sock8/fixed_string.hpp>

#include <boost/system/result.hpp>
#include <boost/system/system_error.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace sock8 {

/** Which parameter of a topic was refused, and why.

    Filled by the overloads of `try_topic`, `parse_topic` and `tree::find`
    that take one; the plain overloads return only the error code.
*/
struct parameter_error
{
    /// The reason: empty_parameter, parameter_too_long,
    /// invalid_parameter_character, or unmatched_topic.
    error code = detail::no_error;

    /// The parameter's index in path order; 0 for unmatched_topic.
    std::size_t index = 0;

    /// The parameter's name; empty for unmatched_topic. Static storage.
    std::string_view name;

    /// The refused value (the whole topic for unmatched_topic), cut to its
    /// first 64 bytes.
    std::string value;

    /** A sentence for logs and replies.

        @returns `parameter "roomId" = "a b": <reason>`, or
        `topic "x.y": unmatched topic`.
    */
    std::string message() const
    {
        std::string out = subject();

        out.append(": ");
        out.append(make_error_code(code).message());
        return out;
    }

    /** The message without the reason.

        @returns `parameter "roomId" = "a b"` or `topic "x.y"`; non-printable
        bytes, quotes and backslashes appear as `\xNN`.
    */
    std::string subject() const
    {
        static constexpr char hex[] = "0123456789abcdef";
        std::string out = name.empty() ? "topic \"" : "parameter \"";

        if (!name.empty()) {
            out.append(name);
            out.append("\" = \"");
        }

        for (char c : value) {
            auto const u = static_cast<unsigned char>(c);
            if (u >= 0x20 && u < 0x7f && c != '"' && c != '\\') {
                out.push_back(c);
                continue;
            }
            out.append("\\x");
            out.push_back(hex[u >> 4]);
            out.push_back(hex[u & 15]);
        }
        out.push_back('"');
        return out;
    }
};

template <class C>
class topic;

namespace detail {

struct topic_access;

inline constexpr std::size_t max_reported_bytes = 64;

inline void fill_failure(parameter_error* f, error code, std::size_t index,
                         std::string_view name, std::string_view value)
{
    if (f == nullptr)
        return;

    f->code = code;
    f->index = index;
    f->name = name;
    f->value.assign(value.substr(0, max_reported_bytes));
}

} // namespace detail

/** One instance of channel C: its path with every parameter filled in.

    Made by `C::topic`, `C::try_topic` or `C::parse_topic`, so a topic
    always holds valid parameter values. Cheap to compare; copying copies
    one string.

    @tparam C A `sock8::channel`.
*/
template <class C>
class topic
{
public:
    /// The channel this is an instance of.
    using channel_type = C;

    /// @returns The topic as sent on the wire, "chat.lobby.messages".
    std::string const& str() const noexcept { return str_; }

    /** A parameter value by position.

        @param i The index in path order; must be below
        `C::parameter_count`.
        @returns A view into this topic.
    */
    std::string_view param(std::size_t i) const noexcept
    {
        return std::string_view(str_).substr(spans_[i].offset,
                                             spans_[i].size);
    }

    /** A parameter value by name: `t.param<"roomId">()`.

        @tparam Name A parameter name of C; any other name does not compile.
        @returns A view into this topic.
    */
    template <fixed_string Name>
    std::string_view param() const noexcept
    {
        constexpr std::size_t i = C::path_type::parameter_index(Name.view());
        static_assert(i != C::parameter_count,
                      "sock8: this channel has no parameter with that name");
        return param(i);
    }

    /// Equal when the topic strings are equal.
    friend bool operator==(topic const&, topic const&) = default;

    /// Orders by topic string, so topics can key ordered maps.
    friend auto operator<=>(topic const& a, topic const& b) noexcept
    {
        return a.str_ <=> b.str_;
    }

private:
    friend struct detail::topic_access;

    struct span
    {
        std::uint32_t offset = 0;
        std::uint32_t size = 0;
        friend bool operator==(span const&, span const&) = default;
    };

    topic() = default;

    std::string str_;
    std::array<span, C::parameter_count> spans_{};
};

/** A parameter value with its name, made by `param<Name>(v)` or by
    `"name"_param = v`. Holds a view: use it within the full expression.
*/
template <fixed_string Name>
struct named_value
{
    /// The value.
    std::string_view value;
};

/** The left side of `"roomId"_param = "lobby"`. */
template <fixed_string Name>
struct param_name
{
    /** Binds a value to this name.

        @param v Anything convertible to std::string_view.
        @returns The named value; it views `v`.
    */
    template <class T>
        requires std::convertible_to<T, std::string_view>
    constexpr named_value<Name> operator=(T&& v) const noexcept
    {
        return {std::string_view(std::forward<T>(v))};
    }
};

/** Names a parameter value: `sock8::param<"roomId">("lobby")`.

    @param v Anything convertible to std::string_view.
    @returns A named value viewing `v`.
*/
template <fixed_string Name, class T>
    requires std::convertible_to<T, std::string_view>
constexpr named_value<Name> param(T&& v) noexcept
{
    return {std::string_view(std::forward<T>(v))};
}

inline namespace literals {

/** `"roomId"_param = "lobby"` names a parameter value.

    Reachable with `using namespace sock8::literals;` or
    `using namespace sock8;`.
*/
template <fixed_string Name>
constexpr param_name<Name> operator""_param() noexcept
{
    return {};
}

} // namespace literals

namespace detail {

template <class T>
struct named_traits : std::false_type
{
};

template <fixed_string Name>
struct named_traits<named_value<Name>> : std::true_type
{
    static constexpr std::string_view name = Name.view();
};

template <class T>
inline constexpr bool is_named_v = named_traits<std::remove_cvref_t<T>>::value;

template <class C, class Arg>
constexpr std::size_t named_index() noexcept
{
    using traits = named_traits<std::remove_cvref_t<Arg>>;
    return C::path_type::parameter_index(traits::name);
}

template <class C, class... Args>
constexpr bool names_unique() noexcept
{
    std::array<std::size_t, sizeof...(Args)> const at = {
        named_index<C, Args>()...};

    for (std::size_t i = 0; i != at.size(); ++i)
        for (std::size_t j = i + 1; j != at.size(); ++j)
            if (at[i] == at[j])
                return false;
    return true;
}

// Checks the arguments of a topic call. Each rule has its own message and
// fires only when the rules before it hold, so the user sees one reason.
template <class C, class... Args>
constexpr bool check_topic_arguments() noexcept
{
    constexpr bool any_named = (is_named_v<Args> || ...);
    constexpr bool all_named = (is_named_v<Args> && ...);

    static_assert(all_named || !any_named,
                  "sock8: do not mix named and positional parameters in one "
                  "topic; name all of them or none");

    if constexpr (!any_named) {
        constexpr bool count_ok = sizeof...(Args) == C::parameter_count;
        static_assert(count_ok,
                      "sock8: wrong number of parameters for this channel");

        constexpr bool types_ok =
            (std::is_convertible_v<Args, std::string_view> && ...);
        static_assert(!count_ok || types_ok,
                      "sock8: a parameter value must be convertible to "
                      "std::string_view");
        return count_ok && types_ok;
    } else if constexpr (all_named) {
        constexpr bool known =
            ((named_index<C, Args>() != C::parameter_count) && ...);
        static_assert(known, "sock8: unknown parameter name for this channel");

        constexpr bool unique = names_unique<C, Args...>();
        static_assert(!known || unique,
                      "sock8: a parameter is named twice in one topic");

        constexpr bool complete = sizeof...(Args) == C::parameter_count;
        static_assert(!known || !unique || complete,
                      "sock8: missing parameter name for this channel; name "
                      "every parameter of the path");
        return known && unique && complete;
    } else {
        return false;
    }
}

template <class C, class... Args>
std::array<std::string_view, C::parameter_count>
topic_values(Args&&... args) noexcept
{
    std::array<std::string_view, C::parameter_count> out{};

    if constexpr ((is_named_v<Args> && ...) && sizeof...(Args) != 0) {
        ((out[named_index<C, Args>()] = args.value), ...);
    } else {
        std::size_t i = 0;
        ((out[i++] = std::string_view(std::forward<Args>(args))), ...);
    }
    return out;
}

struct topic_access
{
    // Builds the topic string from checked values; the only allocation
    // is the string itself, sized up front.
    template <class C>
    static boost::system::result<topic<C>>
    make(std::array<std::string_view, C::parameter_count> const& values,
         parameter_error* failure)
    {
        constexpr auto const& segs = C::path_type::segments;
        std::size_t bytes = segs.size() - 1;

        for (std::size_t i = 0; i != values.size(); ++i) {
            error const e = check_value(values[i]);
            if (e != no_error) {
                fill_failure(failure, e, i, C::parameter_names[i], values[i]);
                return make_error_code(e);
            }
            bytes += values[i].size();
        }

        topic<C> t;
        std::size_t k = 0;
        for (segment const& s : segs)
            bytes += s.parameter ? 0 : s.text.size();
        t.str_.reserve(bytes);

        for (std::size_t i = 0; i != segs.size(); ++i) {
            if (i != 0)
                t.str_.push_back('.');
            if (!segs[i].parameter) {
                t.str_.append(segs[i].text);
                continue;
            }
            t.spans_[k] = {static_cast<std::uint32_t>(t.str_.size()),
                           static_cast<std::uint32_t>(values[k].size())};
            t.str_.append(values[k]);
            ++k;
        }
        return t;
    }

    template <class C>
    static boost::system::result<topic<C>> parse(std::string_view text,
                                                 parameter_error* failure)
    {
        constexpr auto const& segs = C::path_type::segments;
        constexpr segment_table table{segs.data(), segs.size()};
        std::array<std::string_view, segs.size()> parts;

        std::size_t const n = split_topic(text, parts.data(), parts.size());
        if (!fits_shape(table, parts.data(), n)) {
            fill_failure(failure, error::unmatched_topic, 0, {}, text);
            return make_error_code(error::unmatched_topic);
        }

        match_outcome const m = check_parameters(table, parts.data());
        if (m.code != no_error) {
            fill_failure(failure, m.code, m.parameter,
                         segs[m.segment].text, parts[m.segment]);
            return make_error_code(m.code);
        }

        topic<C> t;
        std::size_t k = 0;
        t.str_.assign(text);
        for (std::size_t i = 0; i != segs.size(); ++i) {
            if (!segs[i].parameter)
                continue;
            t.spans_[k++] = {
                static_cast<std::uint32_t>(parts[i].data() - text.data()),
                static_cast<std::uint32_t>(parts[i].size())};
        }
        return t;
    }
};

template <class C>
[[noreturn]] void throw_parameter_error(parameter_error const& f)
{
    std::string what = "sock8: channel \"";

    what.append(C::path);
    what.append("\": ");
    what.append(f.subject());
    throw boost::system::system_error(make_error_code(f.code), what);
}

template <class... Args>
struct starts_with_failure : std::false_type
{
};

template <class First, class... Rest>
struct starts_with_failure<First, Rest...>
    : std::is_same<std::remove_cvref_t<First>, parameter_error>
{
};

} // namespace detail

} // namespace sock8

// A topic is only made through its channel; bring the channel in for
// users who include this header alone.
#include <sock8/channel.hpp>

#endif
