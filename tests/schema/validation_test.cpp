//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#include <sock8/validation.hpp>

#include "test_types.hpp"

#include <limits>

namespace schema_test {
namespace {

sock8::validation_failure two_errors()
{
    sock8::validation_failure f;
    f.errors.push_back({"/cursor/x", sock8::error::out_of_range,
                        "a number between 0 and 1", "-3"});
    f.errors.push_back({"", sock8::error::wrong_type, "an object",
                        "an array"});
    return f;
}

TEST(field_error, message_names_path_expected_and_found)
{
    auto const f = two_errors();
    EXPECT_EQ(f.errors[0].message(),
              "/cursor/x: expected a number between 0 and 1, found -3");
    EXPECT_EQ(f.errors[1].message(), "expected an object, found an array");
}

TEST(validation_failure, message_lists_every_error)
{
    auto f = two_errors();
    EXPECT_EQ(f.message(),
              "/cursor/x: expected a number between 0 and 1, found -3\n"
              "expected an object, found an array");
    f.truncated = true;
    EXPECT_NE(f.message().find("more errors"), std::string::npos);
}

TEST(validation_failure, empty_and_clear)
{
    sock8::validation_failure f;
    EXPECT_TRUE(f.empty());
    f.truncated = true;
    EXPECT_FALSE(f.empty());

    f = two_errors();
    f.truncated = true;
    EXPECT_FALSE(f.empty());
    f.clear();
    EXPECT_TRUE(f.empty());
    EXPECT_FALSE(f.truncated);
}

TEST(validation_failure, to_json)
{
    auto const j = two_errors().to_json();
    ASSERT_TRUE(j.is_array());
    ASSERT_EQ(j.as_array().size(), 2u);
    auto const& e = j.as_array()[0].as_object();
    EXPECT_EQ(e.size(), 4u);
    EXPECT_EQ(e.at("path"), "/cursor/x");
    EXPECT_EQ(e.at("expected"), "a number between 0 and 1");
    EXPECT_EQ(e.at("found"), "-3");
    EXPECT_EQ(e.at("message"),
              "/cursor/x: expected a number between 0 and 1, found -3");
}

TEST(validation_exception, carries_the_failure)
{
    sock8::validation_exception const e(two_errors());
    EXPECT_EQ(e.code(), sock8::error::out_of_range);
    EXPECT_EQ(e.failure().errors, two_errors().errors);
    EXPECT_NE(std::string(e.what()).find("/cursor/x"), std::string::npos);
}

TEST(validate, accepts_valid_values)
{
    message const m{"hi", 0.5, std::vector<int>{1, 2}};
    EXPECT_TRUE(sock8::validate(m).empty());
    EXPECT_TRUE(sock8::validate(presence_record{}).empty());
}

TEST(validate, reports_constraints_and_non_finite_numbers)
{
    message const m{"", std::numeric_limits<double>::quiet_NaN(),
                    std::vector<int>(9)};
    auto const f = sock8::validate(m);
    ASSERT_EQ(f.errors.size(), 3u) << f.message();
    EXPECT_EQ(f.errors[0].code, sock8::error::too_short);
    EXPECT_EQ(f.errors[1].path, "/x");
    EXPECT_EQ(f.errors[1].code, sock8::error::not_finite);
    EXPECT_EQ(f.errors[1].found, "NaN");
    EXPECT_EQ(f.errors[2].code, sock8::error::too_many_items);
    EXPECT_EQ(f.errors[2].expected, "an array of at most 8 items");
}

TEST(validate, nested_paths)
{
    everything e;
    e.rooms["a/b"] = cursor{0, -std::numeric_limits<double>::infinity()};
    e.nested.cursor_at.x = std::numeric_limits<double>::infinity();
    auto const f = sock8::validate(e);
    ASSERT_EQ(f.errors.size(), 2u);
    EXPECT_EQ(f.errors[0].path, "/rooms/a~1b/y");
    EXPECT_EQ(f.errors[0].found, "-Infinity");
    EXPECT_EQ(f.errors[1].path, "/nested/cursor_at/x");
}

TEST(validate, bounded_by_max_errors)
{
    std::vector<double> v(10, std::numeric_limits<double>::infinity());
    sock8::decode_options o;
    o.max_errors = 3;
    auto const f = sock8::validate(v, o);
    EXPECT_EQ(f.errors.size(), 3u);
    EXPECT_TRUE(f.truncated);
    EXPECT_EQ(f.errors[2].path, "/2");
}

} // namespace
} // namespace schema_test
