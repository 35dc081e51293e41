//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#include <sock8/schema.hpp>

#include <boost/describe.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

// The complete example of docs/schemas.md, kept compiling here.
namespace docs_example {

enum class status
{
    online,
    away
};
BOOST_DESCRIBE_ENUM(status, online, away)

struct cursor
{
    sock8::constrained<double, sock8::range<0.0, 1.0>> x;
    sock8::constrained<double, sock8::range<0.0, 1.0>> y;
};
BOOST_DESCRIBE_STRUCT(cursor, (), (x, y))

struct presence
{
    bool typing = false;
    status state = status::online;
    std::optional<cursor> cursor_at;
    sock8::constrained<std::string, sock8::length<1, 32>> name;
};
BOOST_DESCRIBE_STRUCT(presence, (), (typing, state, cursor_at, name))

// Returns the reply text for one incoming update.
std::string handle(std::string_view text, presence& record)
{
    sock8::validation_failure failure;
    boost::json::value const patch = boost::json::parse(text);
    if (!sock8::merge_into(patch, record, failure, {.strict = true}))
        return boost::json::serialize(failure.to_json());

    std::string out;
    sock8::encode(record, out);
    return out;
}

} // namespace docs_example

namespace {

TEST(schema, docs_example)
{
    docs_example::presence record;
    record.name = "ada";

    EXPECT_EQ(docs_example::handle(R"({"typing":true,
        "cursor_at":{"x":0.25,"y":0.5}})", record),
        R"({"typing":true,"state":"online",)"
        R"("cursor_at":{"x":0.25,"y":0.5},"name":"ada"})");

    EXPECT_EQ(docs_example::handle(R"({"cursor_at":{"x":1.5},"colour":1,
        "state":"gone"})", record),
        boost::json::serialize(boost::json::parse(R"([
        {"path":"/state","expected":"one of: online, away",
         "found":"\"gone\"",
         "message":"/state: expected one of: online, away, found \"gone\""},
        {"path":"/cursor_at/x","expected":"a number between 0 and 1",
         "found":"1.5","message":
         "/cursor_at/x: expected a number between 0 and 1, found 1.5"},
        {"path":"/colour","expected":
         "only the members typing, state, cursor_at, name",
         "found":"the key \"colour\"","message":
         "/colour: expected only the members typing, state, cursor_at, )"
        R"(name, found the key \"colour\""}
        ])")));
    EXPECT_EQ(*record.cursor_at->x, 0.25);
}

TEST(schema, umbrella_header_gives_every_part)
{
    static_assert(sock8::schema_type<docs_example::presence>);
    static_assert(sock8::described_struct<docs_example::presence>);
    static_assert(!sock8::described_struct<int>);
    static_assert(sock8::schema_type<std::map<std::string, int>>);
    static_assert(!sock8::schema_type<std::map<int, int>>);
    static_assert(!sock8::schema_type<char>);
    static_assert(!sock8::schema_type<int*>);
    static_assert(
        !sock8::schema_type<sock8::constrained<int, sock8::length<1, 2>>>);

    auto const schema = sock8::json_schema<docs_example::presence>();
    EXPECT_EQ(schema.at("required"),
              boost::json::parse(R"(["typing","state","name"])"));
}

} // namespace
