//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#include <sock8/decode.hpp>

#include "test_types.hpp"

#include <atomic>
#include <cstdlib>
#include <limits>
#include <new>

#include "../support/allocation_counter.hpp"

namespace schema_test {
namespace {

using sock8::error;

template <class T>
sock8::validation_failure decode_fails(char const* text,
                                       sock8::decode_options o = {})
{
    auto r = sock8::try_decode<T>(json(text), o);
    EXPECT_TRUE(r.has_error()) << text;
    return r.has_error() ? r.error() : sock8::validation_failure{};
}

template <class T>
T decode_ok(char const* text)
{
    auto r = sock8::try_decode<T>(json(text));
    EXPECT_TRUE(r.has_value()) << text << "\n"
                               << (r ? "" : r.error().message());
    return r ? *r : T{};
}

template <class T>
void expect_root_error(char const* text, error code)
{
    auto const f = decode_fails<T>(text);
    ASSERT_EQ(f.errors.size(), 1u) << text;
    EXPECT_EQ(f.errors[0].path, "");
    EXPECT_EQ(f.errors[0].code, code) << text << ": " << f.message();
}

TEST(decode, bool_accepts_only_true_and_false)
{
    EXPECT_TRUE(decode_ok<bool>("true"));
    EXPECT_FALSE(decode_ok<bool>("false"));
    expect_root_error<bool>("1", error::wrong_type);
    expect_root_error<bool>("\"true\"", error::wrong_type);
    expect_root_error<bool>("null", error::wrong_type);
}

TEST(decode, integer_edges_of_every_width)
{
    EXPECT_EQ(decode_ok<std::int8_t>("127"), 127);
    EXPECT_EQ(decode_ok<std::int8_t>("-128"), -128);
    expect_root_error<std::int8_t>("128", error::out_of_range);
    expect_root_error<std::int8_t>("-129", error::out_of_range);

    EXPECT_EQ(decode_ok<std::uint8_t>("255"), 255);
    expect_root_error<std::uint8_t>("256", error::out_of_range);
    expect_root_error<std::uint8_t>("-1", error::out_of_range);

    EXPECT_EQ(decode_ok<std::int16_t>("-32768"), -32768);
    expect_root_error<std::int16_t>("32768", error::out_of_range);
    EXPECT_EQ(decode_ok<std::uint16_t>("65535"), 65535);
    expect_root_error<std::uint16_t>("65536", error::out_of_range);

    EXPECT_EQ(decode_ok<std::int32_t>("-2147483648"),
              std::numeric_limits<std::int32_t>::min());
    expect_root_error<std::int32_t>("2147483648", error::out_of_range);
    EXPECT_EQ(decode_ok<std::uint32_t>("4294967295"), 4294967295u);
    expect_root_error<std::uint32_t>("4294967296", error::out_of_range);

    EXPECT_EQ(decode_ok<std::int64_t>("-9223372036854775808"),
              std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(decode_ok<std::int64_t>("9223372036854775807"),
              std::numeric_limits<std::int64_t>::max());
    expect_root_error<std::int64_t>("9223372036854775808",
                                    error::out_of_range);

    EXPECT_EQ(decode_ok<std::uint64_t>("18446744073709551615"),
              std::numeric_limits<std::uint64_t>::max());
    expect_root_error<std::uint64_t>("-1", error::out_of_range);
    expect_root_error<unsigned>("-1", error::out_of_range);
}

TEST(decode, integer_range_error_names_the_bounds)
{
    auto const f = decode_fails<std::int8_t>("128");
    ASSERT_EQ(f.errors.size(), 1u);
    EXPECT_EQ(f.errors[0].expected, "an integer between -128 and 127");
    EXPECT_EQ(f.errors[0].found, "128");
}

TEST(decode, integral_double_is_an_integer)
{
    EXPECT_EQ(decode_ok<int>("3.0"), 3);
    EXPECT_EQ(decode_ok<std::uint8_t>("255.0"), 255);
    EXPECT_EQ(decode_ok<std::int64_t>("-1e3"), -1000);
    expect_root_error<int>("3.5", error::not_integral);
    expect_root_error<std::uint8_t>("256.0", error::out_of_range);
    expect_root_error<std::int64_t>("1e300", error::out_of_range);
    expect_root_error<std::uint32_t>("-1.0", error::out_of_range);
    expect_root_error<int>("\"3\"", error::wrong_type);
    expect_root_error<int>("true", error::wrong_type);

    auto const f = decode_fails<int>("3.5");
    EXPECT_EQ(f.errors[0].found, "3.5");
    EXPECT_EQ(f.errors[0].expected, "an integer");
}

TEST(decode, floating_point)
{
    EXPECT_EQ(decode_ok<double>("0.4213"), 0.4213);
    EXPECT_EQ(decode_ok<double>("2"), 2.0);
    EXPECT_EQ(decode_ok<double>("-9223372036854775808"), -0x1p63);
    EXPECT_EQ(decode_ok<double>("18446744073709551615"), 0x1p64);
    EXPECT_EQ(decode_ok<float>("0.5"), 0.5f);
    expect_root_error<float>("1e39", error::out_of_range);
    expect_root_error<double>("\"1\"", error::wrong_type);
    expect_root_error<double>("null", error::wrong_type);
}

TEST(decode, string_reuses_storage)
{
    std::string s(100, 'x');
    char const* const data = s.data();
    sock8::validation_failure f;

    ASSERT_TRUE(sock8::decode_into(json("\"ada lovelace, countess\""), s, f));
    EXPECT_EQ(s, "ada lovelace, countess");
    EXPECT_EQ(s.data(), data);
    expect_root_error<std::string>("12", error::wrong_type);
}

TEST(decode, enum_by_name)
{
    EXPECT_EQ(decode_ok<user_status>("\"away\""), user_status::away);

    auto const f = decode_fails<user_status>("\"offline\"");
    ASSERT_EQ(f.errors.size(), 1u);
    EXPECT_EQ(f.errors[0].code, error::unknown_enumerator);
    EXPECT_EQ(f.errors[0].expected, "one of: online, away, busy");
    EXPECT_EQ(f.errors[0].found, "\"offline\"");

    expect_root_error<user_status>("1", error::wrong_type);
}

TEST(decode, long_unknown_enumerator_is_cut_in_the_message)
{
    std::string text = "\"" + std::string(1000, 'z') + "\"";
    auto const f = decode_fails<user_status>(text.c_str());
    ASSERT_EQ(f.errors.size(), 1u);
    EXPECT_LT(f.errors[0].found.size(), 50u);
}

TEST(decode, optional_absent_null_and_present)
{
    everything e;
    e.opt = 5;
    e.maybe_cursor = cursor{1, 2};
    sock8::validation_failure f;
    auto v = json(R"({"b":true,"i8":0,"u8":0,"i16":0,"u16":0,"i32":0,
        "u32":0,"i64":0,"u64":0,"f":0,"d":0,"s":"","e":"online",
        "list":[],"flags":[],"rooms":{},"maybe_cursor":null,
        "nested":{"typing":false,"status":"away",
                  "cursor_at":{"x":0,"y":0},"name":"n"}})");

    // absent and null both leave the optional empty, even when it held a
    // value before
    ASSERT_TRUE(sock8::decode_into(v, e, f)) << f.message();
    EXPECT_FALSE(e.opt.has_value());
    EXPECT_FALSE(e.maybe_cursor.has_value());

    v.as_object()["opt"] = 7;
    v.as_object()["maybe_cursor"] = boost::json::object{{"x", 1}, {"y", 2}};
    ASSERT_TRUE(sock8::decode_into(v, e, f)) << f.message();
    EXPECT_EQ(e.opt, 7);
    EXPECT_EQ(e.maybe_cursor, (cursor{1, 2}));

    v.as_object()["opt"] = "7";
    EXPECT_FALSE(sock8::decode_into(v, e, f));
    auto const* err = find_error(f, "/opt");
    ASSERT_NE(err, nullptr);
    EXPECT_EQ(err->expected, "an integer or null");
}

TEST(decode, vector_errors_carry_the_index)
{
    auto const f = decode_fails<std::vector<std::string>>(R"(["a","b",3])");
    ASSERT_EQ(f.errors.size(), 1u);
    EXPECT_EQ(f.errors[0].path, "/2");
    EXPECT_EQ(f.errors[0].code, error::wrong_type);

    EXPECT_EQ(decode_ok<std::vector<bool>>("[true,false,true]"),
              (std::vector<bool>{true, false, true}));
    expect_root_error<std::vector<int>>("{}", error::wrong_type);
}

TEST(decode, vector_shrinks_and_grows_in_place)
{
    std::vector<std::string> v{"a", "b", "c", "d"};
    sock8::validation_failure f;
    ASSERT_TRUE(sock8::decode_into(json(R"(["x","y"])"), v, f));
    EXPECT_EQ(v, (std::vector<std::string>{"x", "y"}));
    ASSERT_TRUE(sock8::decode_into(json(R"(["1","2","3"])"), v, f));
    EXPECT_EQ(v, (std::vector<std::string>{"1", "2", "3"}));
}

TEST(decode, map_keys_are_escaped_in_paths)
{
    using rooms = std::map<std::string, cursor>;
    auto const f = decode_fails<rooms>(
        R"({"a/b":{"x":1,"y":"no"},"t~x":{"x":1},"ok":{"x":0,"y":0}})");
    ASSERT_EQ(f.errors.size(), 2u) << f.message();
    EXPECT_EQ(f.errors[0].path, "/a~1b/y");
    EXPECT_EQ(f.errors[1].path, "/t~0x/y");
    EXPECT_EQ(f.errors[1].code, error::missing_member);
}

TEST(decode, map_drops_keys_that_are_gone)
{
    std::map<std::string, int> m{{"gone", 1}, {"kept", 2}};
    sock8::validation_failure f;
    ASSERT_TRUE(sock8::decode_into(json(R"({"kept":5,"new":6})"), m, f));
    EXPECT_EQ(m, (std::map<std::string, int>{{"kept", 5}, {"new", 6}}));
}

TEST(decode, nested_struct_path)
{
    auto const f = decode_fails<presence_record>(
        R"({"typing":true,"status":"online",
            "cursor_at":{"x":"left","y":0.5},"name":"ada"})");
    ASSERT_EQ(f.errors.size(), 1u);
    EXPECT_EQ(f.errors[0].path, "/cursor_at/x");
    EXPECT_EQ(f.errors[0].code, error::wrong_type);
    EXPECT_EQ(f.errors[0].expected, "a number");
    EXPECT_EQ(f.errors[0].found, "a string");
    EXPECT_EQ(f.errors[0].message(),
              "/cursor_at/x: expected a number, found a string");
}

TEST(decode, missing_member_is_reported_at_its_path)
{
    auto const f = decode_fails<presence_record>(
        R"({"typing":true,"status":"online","cursor_at":{"x":1}})");
    ASSERT_EQ(f.errors.size(), 2u);
    EXPECT_EQ(f.errors[0].path, "/cursor_at/y");
    EXPECT_EQ(f.errors[0].code, error::missing_member);
    EXPECT_EQ(f.errors[1].path, "/name");
    EXPECT_EQ(f.errors[1].expected, "a string");
}

TEST(decode, every_problem_is_reported)
{
    auto const f = decode_fails<presence_record>(
        R"({"typing":"yes","status":"gone","cursor_at":[],"name":null})");
    ASSERT_EQ(f.errors.size(), 4u);
    EXPECT_FALSE(f.truncated);
    EXPECT_EQ(f.errors[0].path, "/typing");
    EXPECT_EQ(f.errors[1].path, "/status");
    EXPECT_EQ(f.errors[1].code, error::unknown_enumerator);
    EXPECT_EQ(f.errors[2].path, "/cursor_at");
    EXPECT_EQ(f.errors[2].found, "an array");
    EXPECT_EQ(f.errors[3].path, "/name");
    EXPECT_EQ(f.errors[3].found, "null");
}

TEST(decode, errors_are_bounded_then_truncated)
{
    sock8::decode_options o;
    o.max_errors = 2;
    auto const f = decode_fails<presence_record>(
        R"({"typing":"yes","status":"gone","cursor_at":[],"name":null})", o);
    EXPECT_EQ(f.errors.size(), 2u);
    EXPECT_TRUE(f.truncated);

    o.max_errors = 4;
    auto const g = decode_fails<presence_record>(
        R"({"typing":"yes","status":"gone","cursor_at":[],"name":null})", o);
    EXPECT_EQ(g.errors.size(), 4u);
    EXPECT_FALSE(g.truncated);
}

TEST(decode, unknown_keys_dropped_unless_strict)
{
    char const* text = R"({"typing":true,"status":"online",
        "cursor_at":{"x":0,"y":0,"z":1},"name":"ada","colour":"red"})";
    EXPECT_EQ(decode_ok<presence_record>(text).name, "ada");

    sock8::decode_options o;
    o.strict = true;
    auto const f = decode_fails<presence_record>(text, o);
    ASSERT_EQ(f.errors.size(), 2u);
    EXPECT_EQ(f.errors[0].path, "/cursor_at/z");
    EXPECT_EQ(f.errors[0].code, error::unknown_member);
    EXPECT_EQ(f.errors[0].found, "the key \"z\"");
    EXPECT_EQ(f.errors[0].expected, "only the members x, y");
    EXPECT_EQ(f.errors[1].path, "/colour");
    EXPECT_EQ(f.errors[1].found, "the key \"colour\"");
}

TEST(decode, root_must_be_an_object_for_a_struct)
{
    expect_root_error<presence_record>("[]", error::wrong_type);
    auto const f = decode_fails<presence_record>("42");
    EXPECT_EQ(f.errors[0].message(), "expected an object, found 42");
}

TEST(decode, constraints_are_checked)
{
    auto const f = decode_fails<message>(
        R"({"text":"","x":1.5,"tags":[1,2,3,4,5,6,7,8,9]})");
    ASSERT_EQ(f.errors.size(), 3u);
    EXPECT_EQ(f.errors[0].path, "/text");
    EXPECT_EQ(f.errors[0].code, error::too_short);
    EXPECT_EQ(f.errors[0].expected, "a string of 1 to 280 characters");
    EXPECT_EQ(f.errors[0].found, "a string of 0 characters");
    EXPECT_EQ(f.errors[1].path, "/x");
    EXPECT_EQ(f.errors[1].code, error::out_of_range);
    EXPECT_EQ(f.errors[1].expected, "a number between 0 and 1");
    EXPECT_EQ(f.errors[1].found, "1.5");
    EXPECT_EQ(f.errors[2].path, "/tags");
    EXPECT_EQ(f.errors[2].code, error::too_many_items);
    EXPECT_EQ(f.errors[2].found, "an array of 9 items");

    auto const g = decode_fails<message>(
        (R"({"x":-3,"tags":[],"text":")" + std::string(281, 'a') + "\"}")
            .c_str());
    ASSERT_EQ(g.errors.size(), 2u);
    EXPECT_EQ(g.errors[0].code, error::too_long);
    EXPECT_EQ(g.errors[1].found, "-3");

    auto const m = decode_ok<message>(R"({"text":"hi","x":1,"tags":[]})");
    EXPECT_EQ(m.text, "hi");
    EXPECT_EQ(*m.x, 1.0);
}

TEST(decode, length_counts_code_points)
{
    using short_name = sock8::constrained<std::string, sock8::length<1, 5>>;
    EXPECT_EQ(decode_ok<short_name>("\"h\u00e9llo\"").value().size(), 6u);
    expect_root_error<short_name>("\"h\u00e9llo!\"", error::too_long);
}

TEST(decode, integer_range_constraint)
{
    using percent = sock8::constrained<int, sock8::range<0, 100>>;
    EXPECT_EQ(*decode_ok<percent>("100"), 100);
    auto const f = decode_fails<percent>("101");
    ASSERT_EQ(f.errors.size(), 1u);
    EXPECT_EQ(f.errors[0].expected, "an integer between 0 and 100");
}

TEST(decode, throwing_and_result_forms)
{
    auto const good = sock8::decode<cursor>(json(R"({"x":1,"y":2})"));
    EXPECT_EQ(good, (cursor{1, 2}));

    try {
        (void)sock8::decode<cursor>(json(R"({"x":"a"})"));
        FAIL() << "decode did not throw";
    } catch (sock8::validation_exception const& e) {
        EXPECT_EQ(e.code(), error::wrong_type);
        EXPECT_EQ(e.code(), sock8::condition::schema_violation);
        ASSERT_EQ(e.failure().errors.size(), 2u);
        EXPECT_EQ(e.failure().errors[1].path, "/y");
        EXPECT_NE(std::string(e.what()).find("/x: expected a number"),
                  std::string::npos);
    }

    auto r = sock8::try_decode<cursor>(json("[]"));
    ASSERT_TRUE(r.has_error());
    EXPECT_THROW((void)r.value(), sock8::validation_exception);
}

TEST(decode, decode_into_reports_success)
{
    presence_record p;
    sock8::validation_failure f;
    f.errors.push_back({});
    EXPECT_TRUE(sock8::decode_into(
        json(R"({"typing":true,"status":"busy",
                 "cursor_at":{"x":0.4213,"y":0.7735},"name":"ada"})"),
        p, f));
    EXPECT_TRUE(f.empty());
    EXPECT_EQ(p, (presence_record{true, user_status::busy, {0.4213, 0.7735},
                                  "ada"}));
}

TEST(decode, steady_state_decode_into_does_not_allocate)
{
    auto const v = json(R"({"typing":true,"status":"away",
        "cursor_at":{"x":0.4213,"y":0.7735},
        "name":"a name longer than the small string buffer"})");
    presence_record p;
    sock8::validation_failure f;
    ASSERT_TRUE(sock8::decode_into(v, p, f));

    std::size_t const before = allocations.load();
    for (int i = 0; i < 10; ++i)
        ASSERT_TRUE(sock8::decode_into(v, p, f));
    EXPECT_EQ(allocations.load(), before);
}

TEST(merge_into, steady_state_does_not_allocate)
{
    presence_record p{false, user_status::online, {0.1, 0.2},
                      "a name longer than the small string buffer"};
    auto const patch = json(R"({"typing":true,"cursor_at":{"x":0.9}})");
    sock8::validation_failure f;
    ASSERT_TRUE(sock8::merge_into(patch, p, f));
    ASSERT_TRUE(sock8::merge_into(patch, p, f));

    std::size_t const before = allocations.load();
    for (int i = 0; i < 10; ++i)
        ASSERT_TRUE(sock8::merge_into(patch, p, f));
    EXPECT_EQ(allocations.load(), before);
}

TEST(merge_into, present_members_overwrite_and_nested_structs_merge)
{
    presence_record p{false, user_status::online, {0.1, 0.2}, "ada"};
    sock8::validation_failure f;

    ASSERT_TRUE(sock8::merge_into(
        json(R"({"typing":true,"cursor_at":{"x":0.9}})"), p, f))
        << f.message();
    EXPECT_EQ(p, (presence_record{true, user_status::online, {0.9, 0.2},
                                  "ada"}));
}

TEST(merge_into, null_clears_an_optional)
{
    everything e;
    e.opt = 3;
    e.maybe_cursor = cursor{1, 2};
    sock8::validation_failure f;

    ASSERT_TRUE(sock8::merge_into(json(R"({"opt":null,
        "maybe_cursor":{"y":5}})"), e, f)) << f.message();
    EXPECT_FALSE(e.opt.has_value());
    EXPECT_EQ(e.maybe_cursor, (cursor{1, 5}));

    ASSERT_TRUE(sock8::merge_into(json(R"({"maybe_cursor":null})"), e, f));
    EXPECT_FALSE(e.maybe_cursor.has_value());

    // an absent nested record cannot be merged into: it must be complete
    EXPECT_FALSE(sock8::merge_into(json(R"({"maybe_cursor":{"y":5}})"), e,
                                   f));
    EXPECT_EQ(f.errors.at(0).path, "/maybe_cursor/x");
}

TEST(merge_into, failure_leaves_record_unchanged)
{
    presence_record p{false, user_status::online, {0.1, 0.2}, "ada"};
    presence_record const before = p;
    sock8::validation_failure f;

    EXPECT_FALSE(sock8::merge_into(
        json(R"({"typing":true,"name":"bob","cursor_at":{"y":"up"}})"), p,
        f));
    EXPECT_EQ(p, before);
    ASSERT_EQ(f.errors.size(), 1u);
    EXPECT_EQ(f.errors[0].path, "/cursor_at/y");

    EXPECT_FALSE(sock8::merge_into(json("[1]"), p, f));
    EXPECT_EQ(p, before);
}

TEST(merge_into, constraints_and_strict_mode_apply)
{
    message m{"hello", 0.5, std::vector<int>{1}};
    message const before = m;
    sock8::validation_failure f;

    EXPECT_FALSE(sock8::merge_into(json(R"({"x":2})"), m, f));
    EXPECT_EQ(m, before);
    EXPECT_EQ(f.errors.at(0).code, error::out_of_range);

    sock8::decode_options o;
    o.strict = true;
    EXPECT_FALSE(sock8::merge_into(json(R"({"colour":1})"), m, f, o));
    EXPECT_EQ(f.errors.at(0).path, "/colour");
    EXPECT_EQ(m, before);

    ASSERT_TRUE(sock8::merge_into(json(R"({"text":"bye"})"), m, f));
    EXPECT_EQ(m.text, "bye");
    EXPECT_EQ(*m.x, 0.5);
}

TEST(merge_into, whole_result_is_validated)
{
    // a record that was made invalid in C++ is not accepted by a patch
    // that leaves the bad member alone
    message m{"", 0.5, std::vector<int>{}};
    sock8::validation_failure f;
    EXPECT_FALSE(sock8::merge_into(json(R"({"x":0.25})"), m, f));
    EXPECT_EQ(*m.x, 0.5);
    EXPECT_EQ(f.errors.at(0).path, "/text");
    EXPECT_EQ(f.errors.at(0).code, error::too_short);
}

} // namespace
} // namespace schema_test
