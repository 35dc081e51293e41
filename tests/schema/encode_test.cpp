//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#include <sock8/encode.hpp>

#include "test_types.hpp"

#include <sock8/decode.hpp>

#include <charconv>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <new>

#include "../support/allocation_counter.hpp"

namespace schema_test {
namespace {

template <class T>
std::string encoded(T const& v)
{
    std::string s;
    sock8::encode(v, s);
    return s;
}

TEST(encode, scalars)
{
    EXPECT_EQ(encoded(true), "true");
    EXPECT_EQ(encoded(false), "false");
    EXPECT_EQ(encoded(std::int8_t{-128}), "-128");
    EXPECT_EQ(encoded(std::uint8_t{255}), "255");
    EXPECT_EQ(encoded(std::numeric_limits<std::int64_t>::min()),
              "-9223372036854775808");
    EXPECT_EQ(encoded(std::numeric_limits<std::uint64_t>::max()),
              "18446744073709551615");
    EXPECT_EQ(encoded(user_status::busy), "\"busy\"");
}

TEST(encode, doubles_shortest_round_trip)
{
    EXPECT_EQ(encoded(1.0), "1");
    EXPECT_EQ(encoded(0.5), "0.5");
    EXPECT_EQ(encoded(0.1), "0.1");
    EXPECT_EQ(encoded(-2.0), "-2");
    EXPECT_EQ(encoded(0.4213), "0.4213");
    EXPECT_EQ(encoded(1e21), "1e+21");
    EXPECT_EQ(encoded(0.1f), "0.1");

    // read back with from_chars: Boost.JSON 1.81's parser may be one ulp
    // off for some inputs, which is not the encoder's doing
    for (double d : {1.0 / 3, 1e-300, 5e-324, 1.7976931348623157e308,
                     123456789.123456789, -0.0}) {
        std::string const text = encoded(d);
        double back = 1;
        auto const r =
            std::from_chars(text.data(), text.data() + text.size(), back);
        EXPECT_EQ(r.ptr, text.data() + text.size()) << text;
        EXPECT_EQ(back, d) << text;
    }
}

TEST(encode, non_finite_double_is_null_and_refused_by_try_encode)
{
    EXPECT_EQ(encoded(std::nan("")), "null");

    cursor c{std::numeric_limits<double>::infinity(), 0};
    std::string out = "prefix";
    sock8::validation_failure f;
    EXPECT_FALSE(sock8::try_encode(c, out, f));
    EXPECT_EQ(out, "prefix");
    ASSERT_EQ(f.errors.size(), 1u);
    EXPECT_EQ(f.errors[0].path, "/x");
    EXPECT_EQ(f.errors[0].code, sock8::error::not_finite);
    EXPECT_EQ(f.errors[0].found, "Infinity");
}

TEST(encode, strings_are_escaped)
{
    EXPECT_EQ(encoded(std::string("plain")), "\"plain\"");
    EXPECT_EQ(encoded(std::string("a\"b\\c")), R"("a\"b\\c")");
    EXPECT_EQ(encoded(std::string("\b\f\n\r\t")), R"("\b\f\n\r\t")");
    EXPECT_EQ(encoded(std::string("\x01\x1f", 2)), R"("\u0001\u001f")");
    EXPECT_EQ(encoded(std::string("nul\0end", 7)), R"("nul\u0000end")");
    EXPECT_EQ(encoded(std::string("caf\u00e9 / \U0001F600")),
              "\"caf\u00e9 / \U0001F600\"");

    // every byte below 0x20 comes back as itself
    std::string all;
    for (int c = 0; c < 0x20; ++c)
        all.push_back(static_cast<char>(c));
    EXPECT_EQ(boost::json::parse(encoded(all)).as_string(), all);
}

TEST(encode, encode_string_appends)
{
    std::string out = "x=";
    sock8::encode_string("a\"", out);
    EXPECT_EQ(out, R"(x="a\"")");
}

TEST(encode, struct_members_in_declaration_order)
{
    presence_record const p{true, user_status::away, {0.4213, 0.7735}, "ada"};
    EXPECT_EQ(encoded(p), R"({"typing":true,"status":"away",)"
                          R"("cursor_at":{"x":0.4213,"y":0.7735},)"
                          R"("name":"ada"})");
}

TEST(encode, empty_optional_member_is_left_out)
{
    everything e;
    std::string const s = encoded(e);
    EXPECT_EQ(s.find("\"opt\""), std::string::npos);
    EXPECT_EQ(s.find("\"maybe_cursor\""), std::string::npos);

    std::vector<std::optional<int>> v{1, std::nullopt};
    EXPECT_EQ(encoded(v), "[1,null]");
}

TEST(encode, containers)
{
    std::map<std::string, int> m{{"a/b", 1}, {"q\"", 2}};
    EXPECT_EQ(encoded(m), R"({"a/b":1,"q\"":2})");
    EXPECT_EQ(encoded(std::vector<bool>{true, false}), "[true,false]");
    EXPECT_EQ(encoded(std::vector<int>{}), "[]");
}

TEST(encode, appends_to_the_buffer)
{
    std::string out = "[";
    sock8::encode(cursor{1, 2}, out);
    out.push_back(',');
    sock8::encode(cursor{3, 4}, out);
    out.push_back(']');
    EXPECT_EQ(out, R"([{"x":1,"y":2},{"x":3,"y":4}])");
}

TEST(encode, encode_members_without_braces)
{
    std::string out = "{";
    sock8::encode_members(cursor{0.5, 1}, out);
    out.append(",\"phx_ref\":\"r1\"}");
    EXPECT_EQ(out, R"({"x":0.5,"y":1,"phx_ref":"r1"})");
    EXPECT_EQ(boost::json::parse(out).as_object().size(), 3u);
}

TEST(encode, try_encode_checks_constraints)
{
    message m{"", 2.0, std::vector<int>{}};
    std::string out;
    sock8::validation_failure f;
    EXPECT_FALSE(sock8::try_encode(m, out, f));
    EXPECT_TRUE(out.empty());
    ASSERT_EQ(f.errors.size(), 2u);
    EXPECT_EQ(f.errors[0].path, "/text");
    EXPECT_EQ(f.errors[1].path, "/x");

    m.text = "hi";
    m.x = 1.0;
    EXPECT_TRUE(sock8::try_encode(m, out, f));
    EXPECT_TRUE(f.empty());
    EXPECT_EQ(out, R"({"text":"hi","x":1,"tags":[]})");
}

TEST(encode, unnamed_enum_value_is_refused)
{
    auto const e = static_cast<user_status>(42);
    EXPECT_EQ(encoded(e), "null");
    std::string out;
    sock8::validation_failure f;
    EXPECT_FALSE(sock8::try_encode(e, out, f));
    EXPECT_EQ(f.errors.at(0).found, "the value 42");
}

TEST(encode, try_encode_into_a_reused_buffer_does_not_allocate)
{
    message const m{"a text longer than the small string buffer", 0.5,
                    std::vector<int>{1, 2, 3}};
    std::string out;
    sock8::validation_failure f;
    ASSERT_TRUE(sock8::try_encode(m, out, f));

    std::size_t const before = allocations.load();
    for (int i = 0; i < 10; ++i) {
        out.clear();
        ASSERT_TRUE(sock8::try_encode(m, out, f));
    }
    EXPECT_EQ(allocations.load(), before);
    EXPECT_EQ(out, R"({"text":"a text longer than the small string buffer",)"
                   R"("x":0.5,"tags":[1,2,3]})");
}

TEST(encode, round_trip)
{
    everything e;
    e.b = true;
    e.i8 = -128;
    e.u8 = 255;
    e.i16 = -32768;
    e.u16 = 65535;
    e.i32 = -2147483647 - 1;
    e.u32 = 4294967295u;
    e.i64 = std::numeric_limits<std::int64_t>::min();
    e.u64 = std::numeric_limits<std::uint64_t>::max();
    e.f = 0.1f;
    e.d = 1.0 / 3;
    e.s = "line\nbreak \"quoted\" \u00e9";
    e.e = user_status::busy;
    e.opt = 9;
    e.list = {"a", "", "c"};
    e.flags = {true, false};
    e.rooms = {{"a/b", {1, 2}}, {"~", {0.5, -0.5}}};
    e.nested = {true, user_status::away, {0.4213, 0.7735}, "ada"};
    e.maybe_cursor = cursor{3, 4};

    std::string const text = encoded(e);
    EXPECT_EQ(sock8::decode<everything>(boost::json::parse(text)), e) << text;

    everything const empty;
    EXPECT_EQ(sock8::decode<everything>(boost::json::parse(encoded(empty))),
              empty);
}

} // namespace
} // namespace schema_test

// A C++ string is not checked for UTF-8 when it is set; what goes on the
// wire must be, or browsers close the WebSocket on the text frame.
TEST(encode, invalid_utf8_becomes_the_replacement_character)
{
    std::string out;
    sock8::encode_string("a\xff" "b", out);
    EXPECT_EQ(out, "\"a\\ufffdb\"");

    out.clear();
    sock8::encode_string("caf\xC3\xA9", out); // valid: copied as is
    EXPECT_EQ(out, "\"caf\xC3\xA9\"");
}
