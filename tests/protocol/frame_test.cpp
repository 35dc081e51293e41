//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#include <sock8/frame.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace {

using sock8::error;
using sock8::frame;
using sock8::frame_parser;

// A payload must be usable by a caller that keeps it past the next parse.
boost::json::value keep(boost::json::value const& v)
{
    return boost::json::value(v, boost::json::storage_ptr());
}

// The outcome of parsing one text with a parser of its own; f.payload
// dies with that parser, so a copy is kept in payload.
struct parsed
{
    bool ok;
    boost::system::error_code ec;
    frame f;
    boost::json::value payload;
};

parsed parse(std::string_view text, sock8::frame_limits limits = {})
{
    frame_parser p(limits);
    parsed r;
    r.ok = p.parse(text, r.f, r.ec);
    r.payload = keep(r.f.payload);
    return r;
}

TEST(frame_parser, parses_a_join)
{
    auto r = parse(R"(["1","1","room:lobby","phx_join",{"token":"t"}])");

    ASSERT_TRUE(r.ok) << r.ec.message();
    EXPECT_FALSE(r.ec);
    EXPECT_EQ(r.f.join_ref, "1");
    EXPECT_EQ(r.f.ref, "1");
    EXPECT_EQ(r.f.topic, "room:lobby");
    EXPECT_EQ(r.f.event, "phx_join");
    EXPECT_EQ(r.payload, boost::json::parse(R"({"token":"t"})"));
}

TEST(frame_parser, null_refs_are_empty)
{
    auto r = parse(R"([null,null,"phoenix","heartbeat",{}])");

    ASSERT_TRUE(r.ok);
    EXPECT_FALSE(r.f.join_ref.has_value());
    EXPECT_FALSE(r.f.ref.has_value());
    EXPECT_TRUE(r.payload.is_object());
}

TEST(frame_parser, integer_refs_become_strings)
{
    auto r = parse(R"([7,-3,"t","e",{}])");
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.f.join_ref, "7");
    EXPECT_EQ(r.f.ref, "-3");

    auto big = parse(R"([null,18446744073709551615,"t","e",{}])");
    ASSERT_TRUE(big.ok);
    EXPECT_EQ(big.f.ref, "18446744073709551615");
}

TEST(frame_parser, escapes_in_strings_are_decoded)
{
    auto r = parse(R"(["a\"b","\u00e9","t\\1","e\n",{"x":"\ud83d\ude00"}])");

    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.f.join_ref, "a\"b");
    EXPECT_EQ(r.f.ref, "\xc3\xa9");
    EXPECT_EQ(r.f.topic, "t\\1");
    EXPECT_EQ(r.f.event, "e\n");
    EXPECT_EQ(r.payload.at("x").as_string(), "\xf0\x9f\x98\x80");
}

TEST(frame_parser, reuses_one_parser_for_many_frames)
{
    frame_parser p;
    frame f;
    boost::system::error_code ec;

    // Growing payloads force the memory to grow; each must parse whole.
    for (int n : {1, 100, 5000, 20000, 3, 20000}) {
        std::string big(static_cast<std::size_t>(n), 'x');
        std::string text = R"(["1",")" + std::to_string(n) +
                           R"(","t","e",{"s":")" + big + R"(","a":[1,2]})" +
                           "]";
        ASSERT_TRUE(p.parse(text, f, ec)) << n << ": " << ec.message();
        EXPECT_EQ(f.ref, std::to_string(n));
        EXPECT_EQ(f.payload.at("s").as_string(), big);
        EXPECT_EQ(f.payload.at("a").as_array().size(), 2u);
    }
}

TEST(frame_parser, a_kept_payload_survives_the_next_parse)
{
    frame_parser p;
    frame f;
    boost::system::error_code ec;

    ASSERT_TRUE(p.parse(R"([null,"1","t","e",{"first":[1,2,3]}])", f, ec));
    boost::json::value kept = keep(f.payload);
    ASSERT_TRUE(p.parse(R"([null,"2","t","e",{"second":"zzzzzz"}])", f, ec));

    EXPECT_EQ(kept, boost::json::parse(R"({"first":[1,2,3]})"));
    EXPECT_EQ(keep(f.payload), boost::json::parse(R"({"second":"zzzzzz"})"));
}

TEST(frame_parser, success_after_failure_clears_the_error)
{
    frame_parser p;
    frame f;
    boost::system::error_code ec;

    EXPECT_FALSE(p.parse("[", f, ec));
    EXPECT_EQ(ec, error::invalid_json);
    EXPECT_TRUE(p.parse(R"(["1","2","t","e",{}])", f, ec));
    EXPECT_FALSE(ec);
}

TEST(frame_parser, invalid_json_keeps_refs_and_topic_read_before_the_error)
{
    auto r = parse(R"(["5","6","room:1","message",{"a":)");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.ec, error::invalid_json);
    EXPECT_EQ(r.f.join_ref, "5");
    EXPECT_EQ(r.f.ref, "6");
    EXPECT_EQ(r.f.topic, "room:1");
    EXPECT_TRUE(r.f.event.empty());

    auto early = parse(R"(["5",nul)");
    EXPECT_EQ(early.ec, error::invalid_json);
    EXPECT_EQ(early.f.join_ref, "5");
    EXPECT_FALSE(early.f.ref.has_value());
    EXPECT_TRUE(early.f.topic.empty());

    auto garbage = parse("not json");
    EXPECT_EQ(garbage.ec, error::invalid_json);
    EXPECT_FALSE(garbage.f.join_ref.has_value());
    EXPECT_TRUE(garbage.f.topic.empty());

    auto trailing = parse(R"(["1","2","t","e",{}] x)");
    EXPECT_EQ(trailing.ec, error::invalid_json);
    EXPECT_EQ(trailing.f.ref, "2");
}

TEST(frame_parser, invalid_json_recovers_integer_and_escaped_values)
{
    auto r = parse(R"([12,"a\"b","t\u0031",)");
    EXPECT_EQ(r.ec, error::invalid_json);
    EXPECT_EQ(r.f.join_ref, "12");
    EXPECT_EQ(r.f.ref, "a\"b");
    EXPECT_EQ(r.f.topic, "t1");
}

TEST(frame_parser, deep_nesting_is_refused_with_refs_kept)
{
    std::string deep = R"(["1","2","room","e",{"a":)";
    for (int i = 0; i < 40; ++i)
        deep += "[";
    for (int i = 0; i < 40; ++i)
        deep += "]";
    deep += "}]";

    auto r = parse(deep);
    EXPECT_EQ(r.ec, error::invalid_json);
    EXPECT_EQ(r.f.ref, "2");
    EXPECT_EQ(r.f.topic, "room");
}

TEST(frame_parser, not_an_array_is_malformed)
{
    for (auto text : {R"({"topic":"t"})", R"("t")", "5", "null"}) {
        auto r = parse(text);
        EXPECT_FALSE(r.ok) << text;
        EXPECT_EQ(r.ec, error::malformed_frame) << text;
        EXPECT_FALSE(r.f.join_ref.has_value()) << text;
        EXPECT_TRUE(r.f.topic.empty()) << text;
    }
}

TEST(frame_parser, wrong_element_count_is_malformed_with_refs_kept)
{
    auto four = parse(R"(["1","2","room","message"])");
    EXPECT_EQ(four.ec, error::malformed_frame);
    EXPECT_EQ(four.f.join_ref, "1");
    EXPECT_EQ(four.f.ref, "2");
    EXPECT_EQ(four.f.topic, "room");

    auto six = parse(R"(["1","2","room","message",{},{}])");
    EXPECT_EQ(six.ec, error::malformed_frame);
    EXPECT_EQ(six.f.ref, "2");
    EXPECT_EQ(six.f.topic, "room");

    auto empty = parse("[]");
    EXPECT_EQ(empty.ec, error::malformed_frame);
    EXPECT_FALSE(empty.f.ref.has_value());
}

TEST(frame_parser, a_ref_that_is_not_a_string_or_integer_is_malformed)
{
    for (auto bad : {"1.5", "true", "[]", "{}", "1e3"}) {
        auto r = parse(std::string(R"(["9",)") + bad + R"(,"room","e",{}])");
        EXPECT_EQ(r.ec, error::malformed_frame) << bad;
        EXPECT_EQ(r.f.join_ref, "9") << bad;
        EXPECT_FALSE(r.f.ref.has_value()) << bad;
        EXPECT_EQ(r.f.topic, "room") << bad;
    }

    auto bad_join = parse(R"([false,"3","room","e",{}])");
    EXPECT_EQ(bad_join.ec, error::malformed_frame);
    EXPECT_FALSE(bad_join.f.join_ref.has_value());
    EXPECT_EQ(bad_join.f.ref, "3");
}

TEST(frame_parser, topic_and_event_must_be_non_empty_strings)
{
    for (auto bad : {R"("")", "null", "3", "[]"}) {
        auto t = parse(std::string(R"(["1","2",)") + bad + R"(,"e",{}])");
        EXPECT_EQ(t.ec, error::malformed_frame) << bad;
        EXPECT_EQ(t.f.ref, "2") << bad;
        EXPECT_TRUE(t.f.topic.empty()) << bad;

        auto e = parse(std::string(R"(["1","2","room",)") + bad + R"(,{}])");
        EXPECT_EQ(e.ec, error::malformed_frame) << bad;
        EXPECT_EQ(e.f.ref, "2") << bad;
        EXPECT_EQ(e.f.topic, "room") << bad;
    }
}

TEST(frame_parser, payload_must_be_an_object)
{
    for (auto bad : {"[]", "null", R"("x")", "1", "true"}) {
        auto r = parse(std::string(R"(["1","2","room","e",)") + bad + "]");
        EXPECT_FALSE(r.ok) << bad;
        EXPECT_EQ(r.ec, error::malformed_frame) << bad;
        EXPECT_EQ(r.f.join_ref, "1") << bad;
        EXPECT_EQ(r.f.ref, "2") << bad;
        EXPECT_EQ(r.f.topic, "room") << bad;
        EXPECT_TRUE(r.payload.is_null()) << bad;
    }
}

TEST(frame_parser, enforces_the_size_limit)
{
    std::string const head = R"(["1","2","room:9","message",{"s":")";
    std::string const tail = "\"}]";
    std::size_t const limit = 100;
    std::string fits =
        head + std::string(limit - head.size() - tail.size(), 'a') + tail;
    ASSERT_EQ(fits.size(), limit);

    auto ok = parse(fits, {limit});
    EXPECT_TRUE(ok.ok) << ok.ec.message();

    auto big = parse(fits + " ", {limit});
    EXPECT_FALSE(big.ok);
    EXPECT_EQ(big.ec, error::frame_too_large);
    EXPECT_EQ(big.f.join_ref, "1");
    EXPECT_EQ(big.f.ref, "2");
    EXPECT_EQ(big.f.topic, "room:9");
    EXPECT_TRUE(big.payload.is_null());
}

TEST(frame_parser, a_huge_frame_still_yields_its_refs)
{
    std::string text =
        R"([null,"44","t","e",{"s":")" + std::string(1 << 20, 'z') + "\"}]";
    auto r = parse(text);
    EXPECT_EQ(r.ec, error::frame_too_large);
    EXPECT_FALSE(r.f.join_ref.has_value());
    EXPECT_EQ(r.f.ref, "44");
    EXPECT_EQ(r.f.topic, "t");
}

TEST(frame_parser, failure_forgets_the_previous_frame)
{
    frame_parser p;
    frame f;
    boost::system::error_code ec;

    ASSERT_TRUE(p.parse(R"(["1","2","room","e",{"a":1}])", f, ec));
    EXPECT_FALSE(p.parse(R"([null,null,"",)", f, ec));
    EXPECT_FALSE(f.join_ref.has_value());
    EXPECT_FALSE(f.ref.has_value());
    EXPECT_TRUE(f.topic.empty());
    EXPECT_TRUE(f.event.empty());
    EXPECT_TRUE(f.payload.is_null());
}

TEST(event_names, match_the_phoenix_protocol)
{
    EXPECT_EQ(sock8::event::join, "phx_join");
    EXPECT_EQ(sock8::event::leave, "phx_leave");
    EXPECT_EQ(sock8::event::reply, "phx_reply");
    EXPECT_EQ(sock8::event::close, "phx_close");
    EXPECT_EQ(sock8::event::error, "phx_error");
    EXPECT_EQ(sock8::event::heartbeat, "heartbeat");
    EXPECT_EQ(sock8::event::presence_state, "presence_state");
    EXPECT_EQ(sock8::event::presence_diff, "presence_diff");
    EXPECT_EQ(sock8::phoenix_topic, "phoenix");
}

TEST(encode_frame, writes_the_five_elements)
{
    std::string out;
    sock8::encode_frame(out, "3", "4", "room:lobby", "message",
                        R"({"text":"hi"})");
    EXPECT_EQ(out, R"(["3","4","room:lobby","message",{"text":"hi"}])");
}

TEST(encode_frame, empty_refs_are_null_and_output_is_appended)
{
    std::string out = "prefix";
    sock8::encode_frame(out, std::nullopt, std::nullopt, "t", "e", "{}");
    EXPECT_EQ(out, R"(prefix[null,null,"t","e",{}])");

    std::optional<std::string> const join_ref = "9";
    std::string push;
    sock8::encode_frame(push, join_ref, std::nullopt, "t", "e", "{}");
    EXPECT_EQ(push, R"(["9",null,"t","e",{}])");
}

TEST(encode_reply_ok, default_and_given_response)
{
    std::string out;
    sock8::encode_reply_ok(out, "1", "1", "room:1");
    EXPECT_EQ(out, R"(["1","1","room:1","phx_reply",)"
                   R"({"status":"ok","response":{}}])");

    out.clear();
    sock8::encode_reply_ok(out, std::nullopt, "8", "phoenix", R"({"n":1})");
    EXPECT_EQ(out, R"([null,"8","phoenix","phx_reply",)"
                   R"({"status":"ok","response":{"n":1}}])");
}

TEST(encode_reply_error, reason_and_extra_members)
{
    std::string out;
    sock8::encode_reply_error(out, std::nullopt, "2", "nope",
                              "unmatched topic");
    EXPECT_EQ(out,
              R"([null,"2","nope","phx_reply",)"
              R"({"status":"error","response":{"reason":"unmatched topic"}}])");

    out.clear();
    sock8::encode_reply_error(out, "1", "5", "room:1", "invalid presence",
                              R"("errors":[{"path":"/x"}])");
    EXPECT_EQ(out, R"(["1","5","room:1","phx_reply",)"
                   R"({"status":"error","response":{"reason":)"
                   R"("invalid presence","errors":[{"path":"/x"}]}}])");
}

TEST(encode_frame, output_parses_back)
{
    std::string out;
    sock8::encode_reply_error(out, "1", "5", "room:\"1\"", "bad \\ reason",
                              R"("errors":[])");
    auto r = parse(out);
    ASSERT_TRUE(r.ok) << out;
    EXPECT_EQ(r.f.topic, "room:\"1\"");
    EXPECT_EQ(r.f.event, "phx_reply");
    EXPECT_EQ(r.payload.at("response").at("reason").as_string(),
              "bad \\ reason");
}

std::string escaped(std::string_view s)
{
    std::string out;
    sock8::encode_frame(out, std::nullopt, std::nullopt, s, "e", "{}");
    // Cut the topic element back out of [null,null,<topic>,"e",{}].
    std::size_t const start = std::string_view("[null,null,").size();
    std::size_t const end = out.size() - std::string_view(",\"e\",{}]").size();
    return out.substr(start, end - start);
}

TEST(string_escaping, quotes_and_backslashes)
{
    EXPECT_EQ(escaped(R"(a"b\c)"), R"("a\"b\\c")");
    EXPECT_EQ(escaped(R"(\")"), R"("\\\"")");
    EXPECT_EQ(escaped(""), R"("")");
    EXPECT_EQ(escaped("/"), R"("/")");
}

TEST(string_escaping, control_characters)
{
    EXPECT_EQ(escaped("\n\r\t\b\f"), R"("\n\r\t\b\f")");
    EXPECT_EQ(escaped(std::string_view("\x00\x01\x1f", 3)),
              R"("\u0000\u0001\u001f")");
    EXPECT_EQ(escaped("\x7f"), "\"\x7f\"");

    // Every control character survives a round trip through a parser.
    for (int c = 0; c < 0x20; ++c) {
        std::string s = "a";
        s.push_back(static_cast<char>(c));
        s += "b";
        auto v = boost::json::parse(escaped(s));
        EXPECT_EQ(v.as_string(), s) << c;
    }
}

TEST(string_escaping, valid_utf8_is_copied)
{
    std::string const s = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
    EXPECT_EQ(escaped(s), "\"" + s + "\"");
    EXPECT_EQ(boost::json::parse(escaped(s)).as_string(), s);
}

TEST(string_escaping, invalid_utf8_becomes_replacement_characters)
{
    EXPECT_EQ(escaped("a\xff"
                      "b"),
              R"("a\ufffdb")");
    // truncated three-byte sequence: each byte is replaced
    EXPECT_EQ(escaped("\xe2\x82"), R"("\ufffd\ufffd")");
    // overlong encoding of '/'
    EXPECT_EQ(escaped("\xc0\xaf"), R"("\ufffd\ufffd")");
    // UTF-16 surrogate encoded in UTF-8
    EXPECT_EQ(escaped("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");
    // above U+10FFFF
    EXPECT_EQ(escaped("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");
    // the largest code point is fine
    EXPECT_EQ(escaped("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\"");
}

} // namespace
