/// @file channel.hpp
/// @brief A bounded FIFO channel between coroutines: `co_await ch.send(v)`, `co_await ch.receive()`.
///
/// Two semaphores count the free slots and the filled ones; a spin lock guards the
/// ring itself. A full channel blocks senders, an empty one blocks receivers.
#pragma once

#include <cstddef>
#include <optional>
#include <utility>

#include "cops/sync/semaphore.hpp"

namespace cops::sync {

/// A channel of up to @p Capacity values of type @p T.
template <class T, std::size_t Capacity>
class Channel {
    static_assert(Capacity > 0, "a channel needs room for at least one value");

public:
    /// Sends @p value, blocking while the channel is full.
    sched::Task<void> send(T value) {
        co_await free_.acquire();
        put(std::move(value));
        filled_.release();
    }
    /// Sends @p value if there is room now (never blocks; safe from interrupt handlers).
    bool try_send(T value) {
        if (!free_.try_acquire()) {
            return false;
        }
        put(std::move(value));
        filled_.release();
        return true;
    }
    /// Receives the oldest value, blocking while the channel is empty.
    sched::Task<T> receive() {
        co_await filled_.acquire();
        T value = take();
        free_.release();
        co_return value;
    }
    /// Receives a value if one is there now.
    std::optional<T> try_receive() {
        if (!filled_.try_acquire()) {
            return std::nullopt;
        }
        T value = take();
        free_.release();
        return value;
    }
    /// Values in the channel now.
    std::size_t size() const { return filled_.available(); }

private:
    void put(T value) {
        LockGuard guard(lock_);
        ring_[tail_] = std::move(value);
        tail_ = (tail_ + 1) % Capacity;
    }
    T take() {
        LockGuard guard(lock_);
        T value = std::move(ring_[head_]);
        head_ = (head_ + 1) % Capacity;
        return value;
    }

    Semaphore free_{Capacity};
    Semaphore filled_{0};
    SpinLock lock_;
    T ring_[Capacity]{};
    std::size_t head_ = 0;
    std::size_t tail_ = 0;
};

}  // namespace cops::sync
