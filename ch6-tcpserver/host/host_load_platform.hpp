/// @file host_load_platform.hpp
/// @brief The matrix load client's place when it is built for the host (`make
/// host-client`): POSIX sockets and one host thread per connection.
///
/// The client's source (user/programs/matrix_client.cpp) is written once, as
/// coroutines that `co_await` their sends, receives and sleeps. In the guest those
/// are async system calls (cops/user/load_platform.hpp). Here every awaitable is
/// *ready*: the call blocks its thread and the coroutine goes straight on, so a
/// connection's coroutine runs start to end inside the one resume its thread gives it.
/// Every name here has its twin in the guest's load_platform.hpp.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <mutex>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "cops/lib/format.hpp"

namespace cops::user::load {

template <class T = void>
class Task;

namespace detail {
/// What every host task's promise has: lazy start, and its awaiting parent.
struct PromiseBase {
    std::coroutine_handle<> continuation{};  ///< who awaits this task (none for a thread's root)
    /// Nothing runs until the task is awaited or started.
    std::suspend_always initial_suspend() noexcept { return {}; }
    /// At the end, go back to the parent if there is one.
    struct FinalAwaiter {
        /// Always suspends: the Task object destroys the frame.
        bool await_ready() noexcept { return false; }
        /// The parent, or back to the thread that started the root.
        template <class P>
        std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
            return h.promise().continuation ? h.promise().continuation : std::noop_coroutine();
        }
        /// Never resumed.
        void await_resume() noexcept {}
    };
    /// See FinalAwaiter.
    FinalAwaiter final_suspend() noexcept { return {}; }
    /// The client throws nothing; if something does, stop loudly.
    void unhandled_exception() noexcept { std::terminate(); }
};
/// A task's promise with a result.
template <class T>
struct Promise : PromiseBase {
    T value{};  ///< what co_return gave
    /// The task object.
    Task<T> get_return_object() noexcept;
    /// Keeps the result for the awaiting parent.
    void return_value(T v) noexcept { value = std::move(v); }
};
/// A task's promise without a result.
template <>
struct Promise<void> : PromiseBase {
    /// The task object.
    Task<void> get_return_object() noexcept;
    /// Nothing to keep.
    void return_void() noexcept {}
};
}  // namespace detail

/// A step of a connection that may wait: a lazily started coroutine that owns its frame.
template <class T>
class [[nodiscard]] Task {
public:
    /// The compiler's hook.
    using promise_type = detail::Promise<T>;
    /// The frame handle.
    using Handle = std::coroutine_handle<promise_type>;

    /// Owns @p h.
    explicit Task(Handle h) : handle_(h) {}
    /// Moves the frame.
    Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
    Task(const Task&) = delete;
    Task& operator=(const Task&) = delete;
    Task& operator=(Task&&) = delete;
    /// Destroys the frame.
    ~Task() {
        if (handle_) {
            handle_.destroy();
        }
    }

    /// Awaiting a task runs it.
    bool await_ready() const noexcept { return false; }
    /// Runs the child; it transfers back to @p parent when it ends.
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> parent) noexcept {
        handle_.promise().continuation = parent;
        return handle_;
    }
    /// The child's result.
    T await_resume() noexcept {
        if constexpr (!std::is_void_v<T>) {
            return std::move(handle_.promise().value);
        }
    }

    /// Runs a root task on this thread to its end (its awaits all block in place).
    T run() {
        handle_.resume();
        if (!handle_.done()) {
            std::fputs("matrix_client: a host task suspended; host awaitables must all be ready\n", stderr);
            std::terminate();
        }
        return await_resume();
    }

private:
    Handle handle_;
};

namespace detail {
template <class T>
Task<T> Promise<T>::get_return_object() noexcept {
    return Task<T>{Task<T>::Handle::from_promise(*this)};
}
inline Task<void> Promise<void>::get_return_object() noexcept {
    return Task<void>{Task<void>::Handle::from_promise(*this)};
}

/// A call that has already happened: `co_await` hands its result straight back.
struct Done {
    long result;  ///< the call's result
    /// Never waits: the call blocked its thread already.
    bool await_ready() const noexcept { return true; }
    /// Not reached.
    void await_suspend(std::coroutine_handle<>) const noexcept {}
    /// The result.
    long await_resume() const noexcept { return result; }
};
/// The negative errno of a failed POSIX call.
inline long failed() { return -static_cast<long>(errno); }
/// The threads spawn() started, joined by join_spawned().
inline std::mutex g_threads_lock;
/// See g_threads_lock.
inline std::vector<std::thread> g_threads;
}  // namespace detail

/// Where this build runs (printed in the report's first line).
inline constexpr std::string_view kPlace = "host";
/// The server's address when the command line names none: the host's loopback, where
/// QEMU's user networking forwards a port to the guest (`make run NET=user HOST_PORT=P`).
inline constexpr std::uint32_t kDefaultServer = 0x7f000001;
/// The guest's two-NIC hub is not reachable from here.
inline constexpr std::uint32_t kNicClient = 0;
/// See kNicClient.
inline constexpr std::uint32_t kNicServer = 0;
/// This place has no `nics` option.
inline constexpr bool kHasNics = false;

/// A new TCP socket with Nagle off, bound to @p local_address unless it is 0; an fd or a negative errno.
inline long open_socket(std::uint32_t local_address) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return detail::failed();
    }
    const int on = 1;
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    if (local_address != 0) {
        sockaddr_in local{};
        local.sin_family = AF_INET;
        local.sin_addr.s_addr = htonl(local_address);
        (void)::bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof local);
    }
    return fd;
}
/// Connects @p fd to @p address : @p port (host order); 0 or a negative errno.
inline detail::Done connect(int fd, std::uint32_t address, std::uint16_t port) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(address);
    return {::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0 ? 0 : detail::failed()};
}
/// The server was not listening (yet): worth trying again on a new socket.
inline bool refused(long result) { return result == -ECONNREFUSED; }
/// Sends all @p bytes bytes; the count sent or a negative errno.
inline detail::Done send(int fd, const void* data, std::size_t bytes) {
    std::size_t done = 0;
    while (done < bytes) {
        const ssize_t n = ::send(fd, static_cast<const char*>(data) + done, bytes - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return {done > 0 ? static_cast<long>(done) : detail::failed()};
        }
        done += static_cast<std::size_t>(n);
    }
    return {static_cast<long>(done)};
}
/// Receives up to @p room bytes; the count (0: the peer closed) or a negative errno.
inline detail::Done recv(int fd, void* into, std::size_t room) {
    ssize_t n;
    do {
        n = ::recv(fd, into, room, 0);
    } while (n < 0 && errno == EINTR);
    return {n >= 0 ? static_cast<long>(n) : detail::failed()};
}
/// Waits @p ticks milliseconds (the guest kernel's tick).
inline detail::Done sleep_ticks(std::uint64_t ticks) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ticks));
    return {0};
}
/// The guest's main coroutine joins its connections' level; a host thread has none.
inline void join_connections_level() {}
/// Closes @p fd.
inline void close(int fd) { (void)::close(fd); }

/// The host's monotonic clock in microseconds (wall time: it depends on the machine).
inline std::uint64_t now_us() {
    const auto t = std::chrono::steady_clock::now().time_since_epoch();
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(t).count());
}
/// The clock in milliseconds, the guest kernel's tick.
inline std::uint64_t now_ticks() { return now_us() / 1000; }

/// Starts @p task on a thread of its own; false if no thread could be made.
inline bool spawn(Task<void> task) {
    try {
        const std::lock_guard<std::mutex> hold(detail::g_threads_lock);
        detail::g_threads.emplace_back([t = std::move(task)]() mutable { t.run(); });
        return true;
    } catch (const std::exception&) {
        return false;
    }
}
/// Waits until every thread spawn() started has ended.
inline void join_spawned() {
    const std::lock_guard<std::mutex> hold(detail::g_threads_lock);
    for (std::thread& t : detail::g_threads) {
        t.join();
    }
    detail::g_threads.clear();
}

namespace detail {
/// Collects formatted text for println (cops/lib/format.hpp's sink).
struct LineWriter final : lib::Writer {
    char buffer[1024];     ///< the line so far
    std::size_t used = 0;  ///< bytes in buffer
    /// Appends @p s (what does not fit is cut).
    void write(std::string_view s) override {
        const std::size_t n = s.size() < sizeof buffer - used ? s.size() : sizeof buffer - used;
        for (std::size_t i = 0; i < n; ++i) {
            buffer[used + i] = s[i];
        }
        used += n;
    }
};
/// One line at a time, whichever thread prints it.
inline std::mutex g_print_lock;
}  // namespace detail

/// Formats @p fmt with @p args (cops/lib/format.hpp) and prints it with a newline.
template <class... Args>
void println(std::string_view fmt, const Args&... args) {
    detail::LineWriter w;
    lib::format_to(w, fmt, args...);
    w.write("\n");
    const std::lock_guard<std::mutex> hold(detail::g_print_lock);
    std::fwrite(w.buffer, 1, w.used, stdout);
    std::fflush(stdout);
}

}  // namespace cops::user::load
