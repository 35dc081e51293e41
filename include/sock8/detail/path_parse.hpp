//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_DETAIL_PATH_PARSE_HPP
#define SOCK8_DETAIL_PATH_PARSE_HPP

#include <array>
#include <cstddef>
#include <string_view>

namespace sock8::detail {

// The first problem found in a path pattern, left to right. Each value
// maps to one static_assert in sock8::path so the user sees one message.
enum class path_status
{
    ok,
    empty_path,
    empty_segment,
    unclosed_brace,
    stray_brace,
    mixed_brace,
    bad_parameter_name,
    bad_static_character,
    repeated_parameter,
};

constexpr bool is_letter(char c) noexcept
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

constexpr bool is_digit(char c) noexcept
{
    return c >= '0' && c <= '9';
}

// The characters a topic segment may hold, static or parameter. The dot is
// the separator and braces mark parameters, so both are out; the rest are
// the characters that survive URLs, JSON and shells without escaping.
constexpr bool is_topic_character(char c) noexcept
{
    if (is_letter(c) || is_digit(c))
        return true;

    switch (c) {
    case '_':
    case '-':
    case ':':
    case '@':
    case '~':
    case '+':
    case '=':
    case '!':
        return true;
    default:
        return false;
    }
}

// Index loops instead of std::string_view::find: GCC 12 cannot evaluate
// the library's pointer-returning search on a template parameter object
// when UBSan is on, and these run at compile time on the path pattern.
constexpr std::size_t find_char(std::string_view s, char c,
                                std::size_t from = 0) noexcept
{
    for (std::size_t i = from; i < s.size(); ++i)
        if (s[i] == c)
            return i;
    return std::string_view::npos;
}

constexpr bool has_char(std::string_view s, char c) noexcept
{
    return find_char(s, c) != std::string_view::npos;
}

constexpr std::size_t count_segments(std::string_view p) noexcept
{
    std::size_t n = 1;

    for (char c : p)
        n += c == '.';
    return n;
}

// Returns segment i of p (segments separated by dots).
constexpr std::string_view segment_at(std::string_view p,
                                      std::size_t i) noexcept
{
    std::size_t begin = 0;

    for (; i != 0; --i)
        begin = find_char(p, '.', begin) + 1;

    std::size_t const end = find_char(p, '.', begin);
    return p.substr(begin, end == std::string_view::npos ? p.size() - begin
                                                         : end - begin);
}

constexpr bool is_parameter_segment(std::string_view s) noexcept
{
    return s.size() >= 2 && s.front() == '{' && s.back() == '}';
}

constexpr path_status check_segment(std::string_view s) noexcept
{
    bool const open = has_char(s, '{');
    bool const close = has_char(s, '}');

    if (s.empty())
        return path_status::empty_segment;

    if (!open && !close) {
        for (char c : s)
            if (!is_topic_character(c))
                return path_status::bad_static_character;
        return path_status::ok;
    }

    if (s.front() != '{')
        return open ? path_status::mixed_brace : path_status::stray_brace;

    if (s.size() < 2 || s.back() != '}')
        return close ? path_status::mixed_brace : path_status::unclosed_brace;

    std::string_view const name = s.substr(1, s.size() - 2);
    if (has_char(name, '{') || has_char(name, '}'))
        return path_status::stray_brace;

    if (name.empty() || !is_letter(name.front()))
        return path_status::bad_parameter_name;
    for (char c : name)
        if (!is_letter(c) && !is_digit(c) && c != '_')
            return path_status::bad_parameter_name;
    return path_status::ok;
}

constexpr path_status check_path(std::string_view p) noexcept
{
    if (p.empty())
        return path_status::empty_path;

    std::size_t const n = count_segments(p);
    for (std::size_t i = 0; i != n; ++i) {
        path_status const s = check_segment(segment_at(p, i));
        if (s != path_status::ok)
            return s;
    }

    for (std::size_t i = 0; i != n; ++i) {
        std::string_view const a = segment_at(p, i);
        if (!is_parameter_segment(a))
            continue;
        for (std::size_t j = i + 1; j != n; ++j)
            if (segment_at(p, j) == a)
                return path_status::repeated_parameter;
    }
    return path_status::ok;
}

constexpr std::size_t count_parameters(std::string_view p) noexcept
{
    std::size_t n = 0;
    std::size_t const segments = count_segments(p);

    for (std::size_t i = 0; i != segments; ++i)
        n += is_parameter_segment(segment_at(p, i));
    return n;
}

} // namespace sock8::detail

#endif
