//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_CHANNELS_HPP
#define SOCK8_CHANNELS_HPP

// The channels layer: paths, channels, topics and trees.

#include <sock8/channel.hpp>
#include <sock8/fixed_string.hpp>
#include <sock8/path.hpp>
#include <sock8/topic.hpp>
#include <sock8/tree.hpp>

#endif
