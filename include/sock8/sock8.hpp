//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_SOCK8_HPP
#define SOCK8_SOCK8_HPP

// Everything but the Beast transport, which has its own target
// (sock8::beast) and headers under sock8/beast/.

#include <sock8/authorization.hpp>
#include <sock8/channels.hpp>
#include <sock8/client.hpp>
#include <sock8/error.hpp>
#include <sock8/frame.hpp>
#include <sock8/in_process.hpp>
#include <sock8/log.hpp>
#include <sock8/presence.hpp>
#include <sock8/roster.hpp>
#include <sock8/schema.hpp>
#include <sock8/server.hpp>
#include <sock8/server_options.hpp>
#include <sock8/transport.hpp>

// Declaring schemas takes these macros: BOOST_DESCRIBE_STRUCT and
// BOOST_DESCRIBE_ENUM.
#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>

#endif
