//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_TESTS_SCHEMA_TEST_TYPES_HPP
#define SOCK8_TESTS_SCHEMA_TEST_TYPES_HPP

#include <sock8/schema.hpp>

#include <boost/describe.hpp>
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace schema_test {

enum class user_status
{
    online,
    away,
    busy
};
BOOST_DESCRIBE_ENUM(user_status, online, away, busy)

struct cursor
{
    double x = 0;
    double y = 0;
    friend bool operator==(cursor const&, cursor const&) = default;
};
BOOST_DESCRIBE_STRUCT(cursor, (), (x, y))

struct presence_record
{
    bool typing = false;
    user_status status = user_status::online;
    cursor cursor_at;
    std::string name;
    friend bool operator==(presence_record const&,
                           presence_record const&) = default;
};
BOOST_DESCRIBE_STRUCT(presence_record, (), (typing, status, cursor_at, name))

struct message
{
    sock8::constrained<std::string, sock8::length<1, 280>> text;
    sock8::constrained<double, sock8::range<0.0, 1.0>> x;
    sock8::constrained<std::vector<int>, sock8::items<0, 8>> tags;
    friend bool operator==(message const&, message const&) = default;
};
BOOST_DESCRIBE_STRUCT(message, (), (text, x, tags))

struct everything
{
    bool b = false;
    std::int8_t i8 = 0;
    std::uint8_t u8 = 0;
    std::int16_t i16 = 0;
    std::uint16_t u16 = 0;
    std::int32_t i32 = 0;
    std::uint32_t u32 = 0;
    std::int64_t i64 = 0;
    std::uint64_t u64 = 0;
    float f = 0;
    double d = 0;
    std::string s;
    user_status e = user_status::online;
    std::optional<int> opt;
    std::vector<std::string> list;
    std::vector<bool> flags;
    std::map<std::string, cursor> rooms;
    presence_record nested;
    std::optional<cursor> maybe_cursor;
    friend bool operator==(everything const&, everything const&) = default;
};
BOOST_DESCRIBE_STRUCT(everything, (),
                      (b, i8, u8, i16, u16, i32, u32, i64, u64, f, d, s, e,
                       opt, list, flags, rooms, nested, maybe_cursor))

inline boost::json::value json(char const* text)
{
    return boost::json::parse(text);
}

// The error at path, or a test failure naming what was found instead.
inline sock8::field_error const* find_error(sock8::validation_failure const& f,
                                            std::string const& path)
{
    for (auto const& e : f.errors)
        if (e.path == path)
            return &e;
    ADD_FAILURE() << "no error at \"" << path << "\"; errors:\n"
                  << f.message();
    return nullptr;
}

} // namespace schema_test

#endif
