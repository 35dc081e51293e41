//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_TESTS_SUPPORT_ALLOCATION_COUNTER_HPP
#define SOCK8_TESTS_SUPPORT_ALLOCATION_COUNTER_HPP

// Counts every allocation of a test program, so a hot path can be held
// to "none per call". It replaces the global operator new and delete:
// include it in exactly one translation unit of a program.

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace {
std::atomic<std::size_t> allocations{0};
}

void* operator new(std::size_t n)
{
    allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n == 0 ? 1 : n))
        return p;
    throw std::bad_alloc();
}

void operator delete(void* p) noexcept
{
    std::free(p);
}

void operator delete(void* p, std::size_t) noexcept
{
    std::free(p);
}

#endif
