//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_ROSTER_HPP
#define SOCK8_ROSTER_HPP

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace sock8 {

/** One version of one connection's presence record.

    @tparam Presence the channel's presence schema.

    `ref` is the record's `phx_ref`: unique among every record the server
    ever published, so two entries with the same ref are the same version.
*/
template <class Presence>
struct presence_entry
{
    std::string ref;
    Presence record;

    friend bool operator==(presence_entry const&,
                           presence_entry const&) = default;
};

/** Who is present in a topic: records grouped by identity.

    Keys are the identities the server gave connections at connect time;
    one identity connected three times is one key with three entries.
    A key with no entries never appears.
*/
template <class Presence>
using roster =
    std::map<std::string, std::vector<presence_entry<Presence>>, std::less<>>;

} // namespace sock8

#endif
