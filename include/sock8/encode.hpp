//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_ENCODE_HPP
#define SOCK8_ENCODE_HPP

#include <sock8/validation.hpp>
#include <sock8/detail/json_escape.hpp>
#include <sock8/detail/schema_traits.hpp>

#include <boost/mp11/algorithm.hpp>

#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>

namespace sock8 {

/** Appends s to out as a JSON string, quotes included.

    '"' and '\\' are escaped, control characters as \\b \\f \\n \\r \\t or
    \\u00XX; valid UTF-8 is copied as is.

    @param s the text, UTF-8
    @param out the buffer appended to
    @note Bytes that are not valid UTF-8 become U+FFFD: the text ends up
    in WebSocket text frames, which browsers close on invalid UTF-8.
*/
inline void encode_string(std::string_view s, std::string& out)
{
    detail::append_json_string(out, s);
}

namespace detail {

// "\"name\":" for a member, built at compile time: identifiers never need
// escaping.
template <class D>
struct member_key
{
    static constexpr std::size_t size =
        std::char_traits<char>::length(D::name) + 3;

    static constexpr std::array<char, size> text = [] {
        std::array<char, size> a{};
        a[0] = '"';
        for (std::size_t i = 0; i + 3 < size; ++i)
            a[i + 1] = D::name[i];
        a[size - 2] = '"';
        a[size - 1] = ':';
        return a;
    }();
};

template <class T>
void encode_value(T const& v, std::string& out);

template <class T>
void encode_members_of(T const& v, std::string& out, bool first)
{
    boost::mp11::mp_for_each<members_t<T>>([&](auto m) {
        using member = member_type_t<T, decltype(m)>;
        auto const& mv = v.*m.pointer;

        // an empty optional member is left out rather than written null
        if constexpr (is_optional_member_v<member>) {
            if (!static_cast<typename unwrap_constrained<member>::type const&>(
                    mv))
                return;
        }

        if (!first)
            out.push_back(',');
        first = false;
        auto const& key = member_key<decltype(m)>::text;
        out.append(key.data(), key.size());
        encode_value(mv, out);
    });
}

template <class T>
void encode_value(T const& v, std::string& out)
{
    if constexpr (std::is_same_v<T, bool>) {
        out.append(v ? "true" : "false");
    } else if constexpr (is_integer_v<T>) {
        char buf[24];
        auto const r = std::to_chars(buf, buf + sizeof buf, v);
        out.append(buf, r.ptr);
    } else if constexpr (is_floating_v<T>) {
        // JSON has no NaN or infinity; try_encode refuses them, encode
        // writes null like JSON.stringify
        if (!std::isfinite(v)) {
            out.append("null");
            return;
        }
        char buf[32];
        auto const r = std::to_chars(buf, buf + sizeof buf, v);
        out.append(buf, r.ptr);
    } else if constexpr (std::is_same_v<T, std::string>) {
        encode_string(v, out);
    } else if constexpr (std::is_enum_v<T>) {
        char const* name = nullptr;
        boost::mp11::mp_for_each<enumerators_t<T>>([&](auto e) {
            if (name == nullptr && e.value == v)
                name = e.name;
        });
        if (name == nullptr) {
            out.append("null");
            return;
        }
        out.push_back('"');
        out.append(name);
        out.push_back('"');
    } else if constexpr (is_optional<T>::value) {
        if (v)
            encode_value(*v, out);
        else
            out.append("null");
    } else if constexpr (is_vector<T>::value) {
        out.push_back('[');
        bool first = true;
        for (auto const& item : v) {
            if (!first)
                out.push_back(',');
            first = false;
            encode_value(static_cast<typename T::value_type const&>(item),
                         out);
        }
        out.push_back(']');
    } else if constexpr (is_string_map<T>::value) {
        out.push_back('{');
        bool first = true;
        for (auto const& [key, item] : v) {
            if (!first)
                out.push_back(',');
            first = false;
            encode_string(key, out);
            out.push_back(':');
            encode_value(item, out);
        }
        out.push_back('}');
    } else if constexpr (is_constrained<T>::value) {
        encode_value(v.value(), out);
    } else {
        out.push_back('{');
        encode_members_of(v, out, true);
        out.push_back('}');
    }
}

} // namespace detail

/** Appends v to out as JSON text, without checking constraints.

    Doubles are written in the shortest form that reads back to the same
    value (1.0 as 1, 0.5 as 0.5); enums by name; empty optional members of
    a struct are left out (elsewhere an empty optional is null).

    @param v the value
    @param out the buffer appended to
    @note A non-finite double, or an enum value without a name, is
    written as null; use @ref try_encode to refuse them.
*/
template <schema_type T>
void encode(T const& v, std::string& out)
{
    detail::encode_value(v, out);
}

/** Validates v, then appends it to out as JSON text.

    @param v the value
    @param out the buffer appended to; nothing is appended on failure
    @param failure cleared, then filled with the problems found
    @returns true when v was valid and written
*/
template <schema_type T>
bool try_encode(T const& v, std::string& out, validation_failure& failure)
{
    failure.clear();
    if constexpr (detail::may_be_invalid<T>()) {
        detail::error_sink sink(failure, decode_options{}.max_errors);
        detail::validate_value(v, sink, nullptr);
        if (!failure.empty())
            return false;
    }
    detail::encode_value(v, out);
    return true;
}

/** Appends the members of a described struct, without the braces:
    "\"a\":1,\"b\":true".

    Used to build objects with extra keys (presence metas with phx_ref).

    @param v the value
    @param out the buffer appended to; nothing when every member is an
    empty optional
    @note Constraints are not checked.
*/
template <described_struct T>
void encode_members(T const& v, std::string& out)
{
    detail::encode_members_of(v, out, true);
}

/// Not a described struct of schema types: says why at compile time.
template <class T>
    requires(!described_struct<T>)
void encode_members(T const&, std::string&)
{
    if constexpr (!detail::is_described_class_v<T>)
        static_assert(detail::always_false<T>,
                      "sock8: encode_members needs a struct described with "
                      "BOOST_DESCRIBE_STRUCT");
    else
        detail::diagnose<T>();
}

/// Not a schema type: says why at compile time.
template <class T>
    requires(!schema_type<T>)
void encode(T const&, std::string&)
{
    detail::diagnose<T>();
}

/// Not a schema type: says why at compile time.
template <class T>
    requires(!schema_type<T>)
bool try_encode(T const&, std::string&, validation_failure&)
{
    detail::diagnose<T>();
    return false;
}

} // namespace sock8

#endif
