/// @file result.hpp
/// @brief Error codes and Result<T>: a value or an error, without exceptions.
#pragma once

#include <new>
#include <type_traits>
#include <utility>

namespace cops {

/// Every error the kit's APIs report. Stable names, printed by error_name().
enum class Error : unsigned char {
    UnknownCid,   ///< the cid names no coroutine (never spawned, or garbage)
    Finished,     ///< the cid names a coroutine that has exited
    BadPriority,  ///< a priority outside 0..63
    OutOfSlots,   ///< the executor has no free control block
    OutOfMemory,  ///< the heap could not satisfy the request
    InvalidTask,  ///< an empty or already-started Task was passed
    NotFound,     ///< a looked-up item does not exist
    Malformed,    ///< input data is corrupt (e.g. a bad device tree)
    BadState,     ///< the object is not in a state that allows the operation
    Busy,         ///< the resource is in use or full; try again later
    BadAddress,   ///< an address (e.g. a user pointer) outside what the caller may use
};

/// A short human-readable name for an error, e.g. "unknown cid".
const char* error_name(Error e);

/// Either a T or an Error. Check with ok() (or in a boolean context) before value().
template <class T>
class [[nodiscard]] Result {
public:
    /// A successful result holding @p v.
    constexpr Result(T v) : ok_(true), value_(std::move(v)) {}  // NOLINT: implicit by design
    /// A failed result holding @p e.
    constexpr Result(Error e) : ok_(false), error_(e) {}  // NOLINT: implicit by design

    /// True on success.
    constexpr bool ok() const { return ok_; }
    /// True on success.
    constexpr explicit operator bool() const { return ok_; }
    /// The value; only valid when ok().
    constexpr T& value() { return value_; }
    /// The value; only valid when ok().
    constexpr const T& value() const { return value_; }
    /// The value, or @p fallback if this holds an error.
    constexpr T value_or(T fallback) const { return ok_ ? value_ : fallback; }
    /// The error; only valid when !ok().
    constexpr Error error() const { return error_; }

private:
    bool ok_;
    union {
        T value_;
        Error error_;
    };
    static_assert(std::is_trivially_destructible_v<T>, "Result<T> holds trivially destructible values only");
};

/// Result of an operation that returns nothing: success, or an Error. One byte (the
/// error, or a value no Error has for success), so it comes back in a register.
template <>
class [[nodiscard]] Result<void> {
public:
    /// Success.
    constexpr Result() = default;
    /// Failure with @p e.
    constexpr Result(Error e) : error_(e) {}  // NOLINT: implicit by design
    /// True on success.
    constexpr bool ok() const { return error_ == kOk; }
    /// True on success.
    constexpr explicit operator bool() const { return ok(); }
    /// The error; only valid when !ok().
    constexpr Error error() const { return error_; }

private:
    static constexpr Error kOk = static_cast<Error>(0xff);
    Error error_ = kOk;
};

/// Shorthand for Result<void>.
using Status = Result<void>;

namespace detail {
/// The value COPS_TRY yields: a Result's value, moved out.
template <class T>
T take_value(Result<T>& r) {
    return std::move(r.value());
}
/// A Status has no value: COPS_TRY on it is a statement.
inline void take_value(Result<void>&) {}
}  // namespace detail

}  // namespace cops

/// Evaluates @p expr (a Result or a Status); on an error, returns that error from the
/// calling function (whose return type is a Result or a Status); else yields the value:
///
///   const std::uint64_t entry = COPS_TRY(load_elf(space, elf, name));
///   COPS_TRY(map_shared_scheduler(p));   // a Status: nothing to yield
///
/// (SerenityOS's TRY; a GNU statement expression, as GCC and Clang both accept.)
#define COPS_TRY(expr)                                \
    ({                                                \
        auto cops_try_result_ = (expr);               \
        if (!cops_try_result_.ok()) [[unlikely]] {    \
            return cops_try_result_.error();          \
        }                                             \
        ::cops::detail::take_value(cops_try_result_); \
    })
