//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#include <sock8/json_schema.hpp>

#include "test_types.hpp"

#include <limits>

namespace schema_test {
namespace {

struct profile
{
    sock8::constrained<std::string, sock8::length<1, 32>> name;
    std::uint8_t age = 0;
    std::optional<user_status> status;
    cursor home;
    sock8::constrained<std::vector<std::string>, sock8::items<1, 4>> tags;
    sock8::constrained<int, sock8::range<-10, 10>> score;
    std::map<std::string, double> scores;
};
BOOST_DESCRIBE_STRUCT(profile, (),
                      (name, age, status, home, tags, score, scores))

boost::json::value parsed(char const* text)
{
    return boost::json::parse(text);
}

TEST(json_schema, small_struct_key_by_key)
{
    auto const doc = sock8::json_schema<profile>();
    auto const& s = doc.as_object();

    EXPECT_EQ(s.at("$schema"), "https://json-schema.org/draft/2020-12/schema");
    EXPECT_EQ(s.at("type"), "object");
    EXPECT_EQ(s.at("additionalProperties"), false);
    EXPECT_EQ(s.at("required"),
              parsed(R"(["name","age","home","tags","score","scores"])"));

    auto const& p = s.at("properties").as_object();
    EXPECT_EQ(p.size(), 7u);
    EXPECT_EQ(p.at("name"),
              parsed(R"({"type":"string","minLength":1,"maxLength":32})"));
    EXPECT_EQ(p.at("age"),
              parsed(R"({"type":"integer","minimum":0,"maximum":255})"));
    EXPECT_EQ(p.at("status"),
              parsed(R"({"anyOf":[{"type":"string",
                  "enum":["online","away","busy"]},{"type":"null"}]})"));
    EXPECT_EQ(p.at("home"), parsed(R"({"type":"object",
        "properties":{"x":{"type":"number"},"y":{"type":"number"}},
        "required":["x","y"],"additionalProperties":false})"));
    EXPECT_EQ(p.at("tags"), parsed(R"({"type":"array",
        "items":{"type":"string"},"minItems":1,"maxItems":4})"));
    EXPECT_EQ(p.at("score"),
              parsed(R"({"type":"integer","minimum":-10,"maximum":10})"));
    EXPECT_EQ(p.at("scores"), parsed(R"({"type":"object",
        "additionalProperties":{"type":"number"}})"));
}

TEST(json_schema, integer_bounds_of_the_cpp_type)
{
    auto const i64 = sock8::json_schema<std::int64_t>();
    EXPECT_EQ(i64.at("minimum").as_int64(),
              std::numeric_limits<std::int64_t>::min());
    auto const u64 = sock8::json_schema<std::uint64_t>();
    EXPECT_EQ(u64.at("maximum").as_uint64(),
              std::numeric_limits<std::uint64_t>::max());
    EXPECT_EQ(sock8::json_schema<bool>().at("type"), "boolean");
}

TEST(json_schema, floating_range)
{
    auto const s = sock8::json_schema<message>();
    auto const& x = s.at("properties").at("x");
    EXPECT_EQ(x.at("type"), "number");
    EXPECT_EQ(x.at("minimum").to_number<double>(), 0.0);
    EXPECT_EQ(x.at("maximum").to_number<double>(), 1.0);
    EXPECT_FALSE(s.at("properties").at("tags").as_object().contains(
        "minItems"));
}

} // namespace
} // namespace schema_test
