//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_DETAIL_FRAME_POOL_HPP
#define SOCK8_DETAIL_FRAME_POOL_HPP

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace sock8::detail {

// Reuses the buffers of small frames once every transport let go of them.
//
// Every presence update is answered with a reply of its own; allocating
// each reply costs more than building it. The pool keeps its own
// reference to each buffer: a use count of one means no queue holds it
// any more, and it can be cleared and filled again. A buffer that grew
// past `max_bytes` is not kept, so one large frame does not pin memory.
class frame_pool
{
public:
    static constexpr std::size_t slots = 256;
    static constexpr std::size_t max_bytes = 512;

    std::shared_ptr<std::string> acquire()
    {
        // A few probes: buffers come back roughly in the order they left.
        for (int probe = 0; probe < 4 && !frames_.empty(); ++probe) {
            auto& f = frames_[next_];
            next_ = (next_ + 1) % frames_.size();
            if (f.use_count() == 1 && f->capacity() <= max_bytes) {
                // The last holder may have let go on a transport's thread:
                // its release pairs with this fence, so its reads of the
                // bytes happen before the rewrite below.
                std::atomic_thread_fence(std::memory_order_acquire);
                f->clear();
                return f;
            }
        }

        auto f = std::make_shared<std::string>();
        f->reserve(max_bytes / 2);
        if (frames_.size() < slots)
            frames_.push_back(f);
        return f;
    }

private:
    std::vector<std::shared_ptr<std::string>> frames_;
    std::size_t next_ = 0;
};

} // namespace sock8::detail

#endif
