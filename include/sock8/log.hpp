//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_LOG_HPP
#define SOCK8_LOG_HPP

#include <functional>
#include <string_view>

namespace sock8 {

/** How much a log line matters. */
enum class log_level
{
    debug,
    info,
    warning,
    error,
};

/** Where sock8 reports what it does; it prints nothing by itself.

    Connect it to the application's logger. Called on the thread that fed
    the core its event; the text is only valid during the call.
*/
using log_hook = std::function<void(log_level, std::string_view)>;

inline std::string_view to_string(log_level level) noexcept
{
    switch (level) {
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warning: return "warning";
    case log_level::error: return "error";
    }
    return "unknown";
}

} // namespace sock8

#endif
