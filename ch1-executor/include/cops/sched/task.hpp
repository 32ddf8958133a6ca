/// @file task.hpp
/// @brief Task<T>: a lazily started coroutine that the executor runs or another task awaits.
///
/// A Task does nothing until it is spawned on an executor or awaited by another task.
/// Awaiting a child Task runs it to completion on the same control block (symmetric
/// transfer into the child, and back to the parent when the child returns).
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <optional>
#include <utility>

#include "cops/lib/verify.hpp"
#include "cops/sched/ccb.hpp"
#include "cops/sched/frame_pool.hpp"

namespace cops::mm {
/// Allocates a coroutine frame (kernel: the kernel heap; host tests: malloc).
/// Returns nullptr when out of memory.
void* allocate_frame(std::size_t bytes) noexcept;
/// Frees a frame from allocate_frame.
void free_frame(void* frame, std::size_t bytes) noexcept;
}  // namespace cops::mm

namespace cops::sched {

/// Frame statistics: how many coroutine frames are alive and their bytes.
struct FrameStats {
    std::size_t live_frames = 0;  ///< frames allocated and not freed
    std::size_t live_bytes = 0;   ///< their total size in bytes
    std::size_t failed = 0;       ///< allocations that failed
};
/// The current frame statistics (for the demo, tests and benchmarks).
FrameStats frame_stats();

namespace detail {

/// Records a frame allocation of @p bytes (or a failure, when @p ok is false).
void note_frame_alloc(std::size_t bytes, bool ok) noexcept;
/// Records a frame release of @p bytes.
void note_frame_free(std::size_t bytes) noexcept;

/// Bytes in front of every frame: its size, then the FramePool it came from (nullptr:
/// the heap). Kept 16 for alignment.
inline constexpr std::size_t kFrameHeader = 16;

/// The header in front of a frame.
struct FrameHeader {
    std::size_t bytes;  ///< the frame's size, as the compiler asked for it
    FramePool* pool;    ///< the pool it came from, or nullptr for the heap
};
static_assert(sizeof(FrameHeader) == kFrameHeader);

/// The size of the frame at @p address, as the compiler asked for it.
inline std::size_t frame_size(void* address) {
    return *reinterpret_cast<std::size_t*>(static_cast<char*>(address) - kFrameHeader);
}

}  // namespace detail

inline std::uint32_t Ccb::frame_bytes() const {
    return root ? static_cast<std::uint32_t>(detail::frame_size(root.address())) : 0;
}

namespace detail {

/// What every Task promise has: the control block it runs on, and who awaits it.
struct PromiseBase {
    Ccb* ccb = nullptr;                      ///< set at spawn (root) or when awaited (child)
    std::coroutine_handle<> continuation{};  ///< the awaiting parent, or none for a root

    /// Coroutine frames come from the kit's frame allocator, never throw; a small
    /// header remembers the size so the executor can report it per coroutine.
    static void* operator new(std::size_t bytes) noexcept {
        return with_header(mm::allocate_frame(bytes + kFrameHeader), bytes, nullptr);
    }
    /// A coroutine whose first parameter is a FramePool& takes its frame from that pool
    /// (frame_pool.hpp); the compiler passes the coroutine's arguments after the size.
    template <class... Rest>
    static void* operator new(std::size_t bytes, FramePool& pool, Rest&&...) noexcept {
        return with_header(pool.allocate(bytes + kFrameHeader), bytes, &pool);
    }
    /// Returns a frame to where it came from; the compiler passes the frame's size.
    static void operator delete(void* p, std::size_t bytes) noexcept {
        note_frame_free(bytes);
        void* block = static_cast<char*>(p) - kFrameHeader;
        if (FramePool* pool = static_cast<FrameHeader*>(block)->pool) {
            pool->free(block);
        } else {
            mm::free_frame(block, bytes + kFrameHeader);
        }
    }
    /// Fills in the header of a fresh @p block (nullptr: allocation failed) and returns the frame.
    static void* with_header(void* block, std::size_t bytes, FramePool* pool) noexcept {
        note_frame_alloc(bytes, block != nullptr);
        if (block == nullptr) {
            return nullptr;
        }
        *static_cast<FrameHeader*>(block) = {bytes, pool};
        return static_cast<char*>(block) + kFrameHeader;
    }

    /// Tasks start suspended: nothing runs until spawned or awaited.
    std::suspend_always initial_suspend() noexcept { return {}; }

    /// At the end, continue the parent if there is one; a root tells the executor it exited.
    struct FinalAwaiter {
        /// Always suspends (the frame stays alive until its owner destroys it).
        bool await_ready() noexcept { return false; }
        /// Transfers to the parent, or returns to the executor.
        template <class P>
        std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
            PromiseBase& self = h.promise();
            if (self.continuation) {
                return self.continuation;
            }
            if (self.ccb != nullptr) {
                self.ccb->request = Suspension::Exit;
            }
            return std::noop_coroutine();
        }
        /// Never resumed.
        void await_resume() noexcept {}
    };
    /// See FinalAwaiter.
    FinalAwaiter final_suspend() noexcept { return {}; }
    /// Exceptions are disabled in the kernel, so this never runs there. In the host tests
    /// an exception leaving a coroutine (a failed COPS_VERIFY) ends the test program with
    /// its message instead of being swallowed.
    void unhandled_exception() noexcept {
#if defined(__cpp_exceptions)
        std::terminate();
#endif
    }
};

}  // namespace detail

template <class T = void>
class Task;

namespace detail {
/// Promise of a Task<T> that returns a value.
template <class T>
struct Promise : PromiseBase {
    std::optional<T> value;  ///< what co_return gave
    /// The Task the caller receives.
    Task<T> get_return_object() noexcept;
    /// An empty Task when the frame could not be allocated.
    static Task<T> get_return_object_on_allocation_failure() noexcept;
    /// Stores the returned value for the awaiting parent.
    void return_value(T v) { value.emplace(std::move(v)); }
};
/// Promise of a Task<void>.
template <>
struct Promise<void> : PromiseBase {
    /// The Task the caller receives.
    Task<void> get_return_object() noexcept;
    /// An empty Task when the frame could not be allocated.
    static Task<void> get_return_object_on_allocation_failure() noexcept;
    /// Nothing to store.
    void return_void() noexcept {}
};
}  // namespace detail

/// A coroutine returning T. Move-only; owns its frame until spawned.
template <class T>
class [[nodiscard]] Task {
public:
    /// The promise type the compiler uses for functions returning Task<T>.
    using promise_type = detail::Promise<T>;
    /// The frame handle.
    using Handle = std::coroutine_handle<promise_type>;

    /// An empty task (what a failed frame allocation produces).
    Task() = default;
    /// Takes ownership of @p h.
    explicit Task(Handle h) : handle_(h) {}
    /// Moves ownership.
    Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
    /// Moves ownership, destroying any frame held.
    Task& operator=(Task&& other) noexcept {
        if (this != &other) {
            reset();
            handle_ = std::exchange(other.handle_, {});
        }
        return *this;
    }
    Task(const Task&) = delete;
    Task& operator=(const Task&) = delete;
    /// Destroys the frame if still owned.
    ~Task() { reset(); }

    /// True when the task holds a frame (allocation succeeded, not yet released).
    bool valid() const { return static_cast<bool>(handle_); }
    /// Gives up ownership of the frame (the executor takes it at spawn).
    Handle release() { return std::exchange(handle_, {}); }

    /// Awaiting a child task: it never is ready before it runs. An empty task (its frame
    /// could not be allocated, or it was moved from or spawned) cannot be awaited.
    bool await_ready() const {
        COPS_VERIFY(handle_,
                    "co_await on an empty Task (no frame: allocation failed, or it was moved or spawned); "
                    "check valid() first");
        return handle_.done();
    }
    /// Runs the child on the parent's control block, returning to the parent when done.
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> parent) noexcept {
        handle_.promise().ccb = parent.promise().ccb;
        handle_.promise().continuation = parent;
        return handle_;
    }
    /// The child's result.
    T await_resume() noexcept {
        if constexpr (!std::is_void_v<T>) {
            return std::move(*handle_.promise().value);
        }
    }

private:
    void reset() {
        if (handle_) {
            handle_.destroy();
            handle_ = {};
        }
    }
    Handle handle_{};
};

namespace detail {
template <class T>
Task<T> Promise<T>::get_return_object() noexcept {
    return Task<T>{Task<T>::Handle::from_promise(*this)};
}
template <class T>
Task<T> Promise<T>::get_return_object_on_allocation_failure() noexcept {
    return Task<T>{};
}
inline Task<void> Promise<void>::get_return_object() noexcept {
    return Task<void>{Task<void>::Handle::from_promise(*this)};
}
inline Task<void> Promise<void>::get_return_object_on_allocation_failure() noexcept { return Task<void>{}; }
}  // namespace detail

}  // namespace cops::sched
