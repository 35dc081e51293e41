//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_SCHEMA_HPP
#define SOCK8_SCHEMA_HPP

/** The schema layer: constraints, validation, decode, encode and JSON
    Schema export for described structs. */

#include <sock8/constraints.hpp>
#include <sock8/decode.hpp>
#include <sock8/encode.hpp>
#include <sock8/json_schema.hpp>
#include <sock8/validation.hpp>

#endif
