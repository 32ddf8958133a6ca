/// @file pipe.cpp
/// @brief The pipe's buffer, its ends, and the wait for readiness.
#include "cops/io/pipe.hpp"

#include "cops/abi/io_abi.hpp"

namespace cops::io {

namespace {
constexpr std::size_t min(std::size_t a, std::uint64_t b) { return b < a ? static_cast<std::size_t>(b) : a; }
}  // namespace

std::int64_t Pipe::read(const mm::AddressSpace& space, std::uint64_t to, std::uint64_t len, unsigned* woke) {
    bool drained = false;
    std::int64_t result;
    {
        sync::LockGuard g(lock_);
        if (len == 0) {
            return 0;
        }
        if (count_ == 0) {
            return write_ends_ == 0 ? 0 : kWouldBlock;
        }
        const std::size_t n = min(count_, len);
        const std::size_t first = min(kBytes - head_, n);  // up to the end of the buffer, then from its start
        const bool ok = mm::copy_out(space, to, buffer_ + head_, first).ok() &&
                        mm::copy_out(space, to + first, buffer_, n - first).ok();
        head_ = (head_ + n) % kBytes;
        count_ -= n;
        drained = !writers_waiting_.empty();  // wake only if someone waits: the common case skips it
        result = ok ? static_cast<std::int64_t>(n) : abi::error_return(abi::Errno::Fault);
    }
    if (drained) {
        const unsigned n = wake_all(PipeEnd::Write);  // room for writers
        if (woke != nullptr) {
            *woke += n;
        }
    }
    return result;
}

std::int64_t Pipe::write(const mm::AddressSpace& space, std::uint64_t from, std::uint64_t len, unsigned* woke) {
    std::int64_t result;
    {
        sync::LockGuard g(lock_);
        if (read_ends_ == 0) {
            return abi::error_return(abi::kErrBrokenPipe);
        }
        if (len == 0) {
            return 0;
        }
        if (count_ == kBytes) {
            return kWouldBlock;
        }
        const std::size_t n = min(kBytes - count_, len);
        const std::size_t tail = (head_ + count_) % kBytes;
        const std::size_t first = min(kBytes - tail, n);
        const bool ok = mm::copy_in(space, buffer_ + tail, from, first).ok() &&
                        mm::copy_in(space, buffer_, from + first, n - first).ok();
        if (!ok) {
            return abi::error_return(abi::Errno::Fault);  // nothing counted as written
        }
        count_ += n;
        result = static_cast<std::int64_t>(n);
        if (readers_waiting_.empty()) {
            return result;  // nobody to wake: the common case skips it
        }
    }
    const unsigned n = wake_all(PipeEnd::Read);  // data for readers
    if (woke != nullptr) {
        *woke += n;
    }
    return result;
}

bool Pipe::close_end(PipeEnd end) {
    bool last_of_end;
    bool none_left;
    {
        sync::LockGuard g(lock_);
        unsigned& ends = end == PipeEnd::Read ? read_ends_ : write_ends_;
        last_of_end = --ends == 0;
        none_left = read_ends_ == 0 && write_ends_ == 0;
    }
    if (last_of_end && !none_left) {
        // The other side learns it: readers see end of file, writers EPIPE.
        wake_all(end == PipeEnd::Read ? PipeEnd::Write : PipeEnd::Read);
    }
    return none_left;
}

std::size_t Pipe::buffered() const {
    sync::LockGuard g(lock_);
    return count_;
}

std::size_t Pipe::waiting() const {
    sync::LockGuard g(lock_);
    return readers_waiting_.size() + writers_waiting_.size();
}

bool Pipe::ready_locked(PipeEnd end) const {
    if (end == PipeEnd::Read) {
        return count_ > 0 || write_ends_ == 0;
    }
    return count_ < kBytes || read_ends_ == 0;
}

unsigned Pipe::wake_all(PipeEnd end) {
    // Waiters leave the queue as they are taken, so one that waits again after its
    // wake is not taken twice: take at most as many as were there at the start.
    constexpr unsigned kBatch = 16;
    unsigned woken = 0;
    std::size_t left;
    {
        sync::LockGuard g(lock_);
        left = waiters(end).size();
    }
    while (left > 0) {
        sync::WakeTarget batch[kBatch];
        unsigned n = 0;
        {
            sync::LockGuard g(lock_);
            while (n < kBatch && left > 0) {
                sync::Waiter* w = waiters(end).pop_front();
                if (w == nullptr) {
                    left = 0;
                    break;
                }
                batch[n++] = sync::WakeTarget::grant(*w);
                --left;
            }
        }
        for (unsigned i = 0; i < n; ++i) {
            batch[i]();  // outside the lock
        }
        woken += n;
    }
    return woken;
}

bool PipeWait::suspend(sched::Ccb& ccb, std::coroutine_handle<> h) {
    // LAB(ch4): the pipe's awaitable
    // Decide under the pipe's lock, so that a reader or writer on another hart cannot
    // make the pipe ready between the check and the wait (a lost wake-up): if the pipe
    // is ready for this end, or the call was cancelled, do not suspend (return false).
    // Otherwise record the resume point, ask the executor to block, and join the
    // waiters of this end (the node is this object, in the coroutine's frame).
    sync::LockGuard g(pipe_.lock_);
    if (pipe_.ready_locked(end_) || cancelled_.load(std::memory_order_acquire) != 0) {
        return false;
    }
    this->ccb = &ccb;
    this->granted = false;
    ccb.resume_point = h;
    ccb.request = sched::Suspension::Block;
    pipe_.waiters(end_).push_back(*this);
    return true;
    // LAB-STUB: (void)ccb; (void)h;
    // LAB-STUB: return false;
    // END-LAB
}

void PipeWait::await_resume() noexcept {
    // Woken by a cancel (or a stray wake) rather than by the pipe: the node must not
    // stay queued, it lives in a frame that is about to move on.
    sync::LockGuard g(pipe_.lock_);
    if (this->linked) {
        pipe_.waiters(end_).remove(*this);
    }
}

}  // namespace cops::io
