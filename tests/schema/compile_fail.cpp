//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

// Each case is a misuse of the schema layer that must not compile; without
// a case the file must compile (the control test).

#include <sock8/schema.hpp>

#include <boost/describe.hpp>

#include <map>
#include <string>

struct good
{
    int a = 0;
};
BOOST_DESCRIBE_STRUCT(good, (), (a))

struct plain
{
    int a = 0;
};

struct with_pointer
{
    int* p = nullptr;
};
BOOST_DESCRIBE_STRUCT(with_pointer, (), (p))

enum class colour
{
    red
};

struct with_int_map
{
    std::map<int, int> m;
};
BOOST_DESCRIBE_STRUCT(with_int_map, (), (m))

struct with_misfit
{
    sock8::constrained<int, sock8::length<1, 2>> n;
};
BOOST_DESCRIBE_STRUCT(with_misfit, (), (n))

int main()
{
    std::string out;
    sock8::encode(good{}, out);

#if defined(SOCK8_CASE_UNDESCRIBED_STRUCT)
    sock8::encode(plain{}, out);
#endif
#if defined(SOCK8_CASE_UNSUPPORTED_MEMBER)
    (void)sock8::decode<with_pointer>(boost::json::value{});
#endif
#if defined(SOCK8_CASE_UNDESCRIBED_ENUM)
    (void)sock8::json_schema<colour>();
#endif
#if defined(SOCK8_CASE_MAP_KEY)
    sock8::validation_failure f;
    with_int_map m;
    (void)sock8::decode_into(boost::json::value{}, m, f);
#endif
#if defined(SOCK8_CASE_TRY_DECODE_UNDESCRIBED)
    (void)sock8::try_decode<plain>(boost::json::value{});
#endif
#if defined(SOCK8_CASE_ENCODE_MEMBERS_OF_INT)
    sock8::encode_members(1, out);
#endif
#if defined(SOCK8_CASE_CONSTRAINT_MISFIT)
    (void)sock8::validate(with_misfit{});
#endif
}
