//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_DETAIL_SCHEMA_TEXT_HPP
#define SOCK8_DETAIL_SCHEMA_TEXT_HPP

#include <sock8/detail/schema_traits.hpp>

#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>

#include <charconv>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>

// The words of error messages. Everything here runs on the error path
// only, so it builds strings freely.
namespace sock8::detail {

// One step of a JSON Pointer; the chain lives on the decoder's stack so
// that the success path never builds a path string.
struct path_node
{
    path_node const* parent;
    std::string_view key;
    std::size_t index;
    bool is_index;
};

template <class N>
void append_number(std::string& out, N n)
{
    char buf[64];
    auto const r = std::to_chars(buf, buf + sizeof buf, n);
    out.append(buf, r.ptr);
}

inline void append_pointer(path_node const* n, std::string& out)
{
    if (n == nullptr)
        return;

    append_pointer(n->parent, out);
    out.push_back('/');
    if (n->is_index) {
        append_number(out, n->index);
        return;
    }

    // RFC 6901: "~" and "/" are the two characters a key must escape
    for (char c : n->key) {
        if (c == '~')
            out.append("~0");
        else if (c == '/')
            out.append("~1");
        else
            out.push_back(c);
    }
}

inline std::string pointer_of(path_node const* n)
{
    std::string s;
    append_pointer(n, s);
    return s;
}

// A string value quoted for a message, cut short so that a hostile client
// cannot make the reply huge.
inline void append_quoted(std::string& out, std::string_view s)
{
    constexpr std::size_t limit = 40;
    out.push_back('"');
    if (s.size() <= limit) {
        out.append(s);
    } else {
        std::size_t cut = limit;
        while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
            --cut;
        out.append(s.substr(0, cut));
        out.append("...");
    }
    out.push_back('"');
}

inline void append_double(std::string& out, double d)
{
    if (std::isnan(d))
        out.append("NaN");
    else if (std::isinf(d))
        out.append(d < 0 ? "-Infinity" : "Infinity");
    else
        append_number(out, d);
}

inline std::string found_of(boost::json::value const& v)
{
    std::string s;
    switch (v.kind()) {
    case boost::json::kind::null: s = "null"; break;
    case boost::json::kind::bool_: s = "a boolean"; break;
    case boost::json::kind::int64: append_number(s, v.get_int64()); break;
    case boost::json::kind::uint64: append_number(s, v.get_uint64()); break;
    case boost::json::kind::double_: append_double(s, v.get_double()); break;
    case boost::json::kind::string: s = "a string"; break;
    case boost::json::kind::array: s = "an array"; break;
    case boost::json::kind::object: s = "an object"; break;
    }
    return s;
}

// "1 to 280 characters", "at most 8 items", "exactly 1 item"
inline void append_count_range(std::string& out, std::size_t min,
                               std::size_t max, char const* one,
                               char const* many)
{
    auto const noun = [&](std::size_t n) {
        out.push_back(' ');
        out.append(n == 1 ? one : many);
    };

    if (min == max) {
        out.append("exactly ");
        append_number(out, min);
        noun(min);
    } else if (max == unbounded) {
        out.append("at least ");
        append_number(out, min);
        noun(min);
    } else if (min == 0) {
        out.append("at most ");
        append_number(out, max);
        noun(max);
    } else {
        append_number(out, min);
        out.append(" to ");
        append_number(out, max);
        noun(max);
    }
}

inline void append_count(std::string& out, std::size_t n, char const* one,
                         char const* many)
{
    append_number(out, n);
    out.push_back(' ');
    out.append(n == 1 ? one : many);
}

template <class E>
void append_enum_names(std::string& out)
{
    out.append("one of: ");
    bool first = true;
    boost::mp11::mp_for_each<enumerators_t<E>>([&](auto d) {
        if (!first)
            out.append(", ");
        first = false;
        out.append(d.name);
    });
}

template <class T>
void append_expected(std::string& out);

template <class T, class C>
void append_constraint_phrase(std::string& out)
{
    if constexpr (is_length<C>::value) {
        out.append("a string of ");
        append_count_range(out, C::min, C::max, "character", "characters");
    } else if constexpr (is_range<C>::value) {
        out.append(is_integer_v<T> ? "an integer between " :
                                     "a number between ");
        append_number(out, C::min);
        out.append(" and ");
        append_number(out, C::max);
    } else {
        out.append(is_vector<T>::value ? "an array of " : "an object of ");
        append_count_range(out, C::min, C::max, is_vector<T>::value ?
            "item" : "member", is_vector<T>::value ? "items" : "members");
    }
}

template <class T, class... C>
void append_constrained(std::string& out, constrained<T, C...>*)
{
    using core = typename unwrap_optional<T>::type;
    bool first = true;
    ((out.append(first ? "" : " and "), first = false,
      append_constraint_phrase<core, C>(out)),
     ...);
    if constexpr (is_optional<T>::value)
        out.append(" or null");
}

// What a value of T looks like, in the words of a front-end developer.
template <class T>
void append_expected(std::string& out)
{
    if constexpr (std::is_same_v<T, bool>)
        out.append("true or false");
    else if constexpr (is_integer_v<T>)
        out.append("an integer");
    else if constexpr (is_floating_v<T>)
        out.append("a number");
    else if constexpr (std::is_same_v<T, std::string>)
        out.append("a string");
    else if constexpr (std::is_enum_v<T>)
        append_enum_names<T>(out);
    else if constexpr (is_optional<T>::value) {
        append_expected<typename T::value_type>(out);
        out.append(" or null");
    } else if constexpr (is_vector<T>::value)
        out.append("an array");
    else if constexpr (is_constrained<T>::value)
        append_constrained(out, static_cast<T*>(nullptr));
    else
        out.append("an object");
}

template <class T>
std::string expected_of()
{
    std::string s;
    append_expected<T>(s);
    return s;
}

template <class T>
std::string integer_range_text()
{
    std::string s = "an integer between ";
    append_number(s, std::numeric_limits<T>::min());
    s.append(" and ");
    append_number(s, std::numeric_limits<T>::max());
    return s;
}

inline std::size_t count_code_points(std::string_view s) noexcept
{
    std::size_t n = 0;
    for (char c : s)
        n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

} // namespace sock8::detail

#endif
