//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_DETAIL_JSON_ESCAPE_HPP
#define SOCK8_DETAIL_JSON_ESCAPE_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sock8::detail {

// What a byte needs when it is written inside a JSON string:
// 0 copy as is, 1 escape, 2 first byte of a UTF-8 sequence (validate).
inline constexpr unsigned char json_byte_class(unsigned char c) noexcept
{
    if (c < 0x20 || c == '"' || c == '\\')
        return 1;
    if (c >= 0x80)
        return 2;
    return 0;
}

// The letter of JSON's two-character escape for c, or 0 when c has none.
inline constexpr char short_escape(unsigned char c) noexcept
{
    constexpr std::string_view from = "\"\\\b\f\n\r\t";
    constexpr std::string_view to = "\"\\bfnrt";
    std::size_t const i = from.find(static_cast<char>(c));
    return i == std::string_view::npos ? 0 : to[i];
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when the bytes
// there are not one (overlong forms, surrogates and values above U+10FFFF
// included).
inline std::size_t utf8_sequence_length(std::string_view s,
                                        std::size_t i) noexcept
{
    auto const at = [&](std::size_t k) {
        return static_cast<unsigned char>(s[k]);
    };
    auto const cont = [&](std::size_t k) {
        return k < s.size() && (at(k) & 0xC0) == 0x80;
    };

    unsigned char const c = at(i);
    if (c >= 0xC2 && c <= 0xDF)
        return cont(i + 1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (!cont(i + 1) || !cont(i + 2))
            return 0;
        unsigned char const c1 = at(i + 1);
        if (c == 0xE0 && c1 < 0xA0)
            return 0;
        if (c == 0xED && c1 >= 0xA0)
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3))
            return 0;
        unsigned char const c1 = at(i + 1);
        if (c == 0xF0 && c1 < 0x90)
            return 0;
        if (c == 0xF4 && c1 >= 0x90)
            return 0;
        return 4;
    }
    return 0;
}

// Appends s to out as a quoted JSON string.
//
// Quotes, backslashes and control characters are escaped (the short forms
// where JSON has them, \u00XX otherwise); valid UTF-8 is copied unchanged.
// Bytes that are not valid UTF-8 become U+FFFD, because the text ends up in
// a WebSocket text frame, and a browser closes the connection on a frame
// that is not valid UTF-8.
inline void append_json_string(std::string& out, std::string_view s)
{
    static constexpr char hex[] = "0123456789abcdef";

    out.push_back('"');

    std::size_t run = 0;
    std::size_t i = 0;
    while (i < s.size()) {
        auto const c = static_cast<unsigned char>(s[i]);
        unsigned char const kind = json_byte_class(c);
        if (kind == 0) {
            ++i;
            continue;
        }

        if (kind == 2) {
            std::size_t const n = utf8_sequence_length(s, i);
            if (n != 0) {
                i += n;
                continue;
            }
        }

        // Flush the run of bytes that needed nothing, then the escape.
        out.append(s.data() + run, i - run);
        if (kind == 2) {
            out.append("\\ufffd");
        } else {
            char const e = short_escape(c);
            if (e != 0) {
                char const two[] = {'\\', e};
                out.append(two, sizeof two);
            } else {
                char const six[] = {'\\', 'u',         '0',
                                    '0',  hex[c >> 4], hex[c & 0xF]};
                out.append(six, sizeof six);
            }
        }
        ++i;
        run = i;
    }

    out.append(s.data() + run, s.size() - run);
    out.push_back('"');
}

} // namespace sock8::detail

#endif
