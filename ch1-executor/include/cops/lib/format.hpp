/// @file format.hpp
/// @brief A small type-safe formatter: format_to(out, "cid={} at {:#x}", cid, addr).
///
/// Replacement fields: `{}` and `{:spec}` where spec is [<|>][#][0][width][x|d|c]
/// (left/right align, 0x prefix, zero pad, width, hex/decimal/char). `{{` and `}}`
/// print braces. A field with no argument prints `{?}` instead of failing.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "cops/lib/strong_id.hpp"

namespace cops::lib {

/// Where formatted text goes.
class Writer {
public:
    /// Appends @p text.
    virtual void write(std::string_view text) = 0;

protected:
    ~Writer() = default;
};

/// A Writer into a fixed char buffer; always NUL-terminated, truncates when full.
class BufferWriter final : public Writer {
public:
    /// Writes into @p buffer of @p capacity bytes (capacity >= 1).
    BufferWriter(char* buffer, std::size_t capacity) : buf_(buffer), cap_(capacity) { buf_[0] = '\0'; }
    /// Appends @p text, truncating at capacity - 1.
    void write(std::string_view text) override;
    /// The text written so far.
    std::string_view view() const { return {buf_, len_}; }
    /// True if some text did not fit.
    bool truncated() const { return truncated_; }

private:
    char* buf_;
    std::size_t cap_;
    std::size_t len_ = 0;
    bool truncated_ = false;
};

/// A parsed `{:spec}`.
struct FormatSpec {
    char align = '>';        ///< '<' left or '>' right
    bool alternate = false;  ///< '#': prefix hex with 0x
    bool zero_pad = false;   ///< '0': pad numbers with zeros
    unsigned width = 0;      ///< minimum width
    char type = 0;           ///< 'x', 'd', 'c' or 0 for the default
};

/// One argument, erased to what the formatter needs.
struct FormatArg {
    /// What the argument holds.
    enum class Kind : std::uint8_t { Signed, Unsigned, Bool, Char, String, Pointer };
    Kind kind;  ///< which member is valid
    union {
        std::int64_t s;        ///< Signed
        std::uint64_t u;       ///< Unsigned, Pointer
        bool b;                ///< Bool
        char c;                ///< Char
        std::string_view str;  ///< String
    };
};

/// Converts a value to a FormatArg. Overload `to_format_arg` for your own types.
inline FormatArg to_format_arg(bool v) {
    FormatArg a{FormatArg::Kind::Bool, {}};
    a.b = v;
    return a;
}
/// A char prints as a character.
inline FormatArg to_format_arg(char v) {
    FormatArg a{FormatArg::Kind::Char, {}};
    a.c = v;
    return a;
}
/// Strings print as text; nullptr prints as "(null)".
inline FormatArg to_format_arg(const char* v) {
    FormatArg a{FormatArg::Kind::String, {}};
    a.str = v != nullptr ? std::string_view{v} : std::string_view{"(null)"};
    return a;
}
/// String views print as text.
inline FormatArg to_format_arg(std::string_view v) {
    FormatArg a{FormatArg::Kind::String, {}};
    a.str = v;
    return a;
}
/// Signed integers print in decimal by default.
template <std::signed_integral T>
requires(!std::same_as<T, char>) FormatArg to_format_arg(T v) {
    FormatArg a{FormatArg::Kind::Signed, {}};
    a.s = v;
    return a;
}
/// Unsigned integers print in decimal by default.
template <std::unsigned_integral T>
requires(!std::same_as<T, bool> && !std::same_as<T, char>) FormatArg to_format_arg(T v) {
    FormatArg a{FormatArg::Kind::Unsigned, {}};
    a.u = v;
    return a;
}
/// Pointers print as 0x-prefixed hex.
inline FormatArg to_format_arg(const void* v) {
    FormatArg a{FormatArg::Kind::Pointer, {}};
    a.u = reinterpret_cast<std::uintptr_t>(v);
    return a;
}
/// Strong ids print their number.
template <class Tag, class Rep>
FormatArg to_format_arg(StrongId<Tag, Rep> id) {
    return to_format_arg(id.value);
}
/// Enumerations print their underlying number (give yours a name with an overload).
template <class E>
requires std::is_enum_v<E> FormatArg to_format_arg(E e) {
    return to_format_arg(static_cast<std::underlying_type_t<E>>(e));
}

/// Formats @p fmt with @p args (already converted) into @p out. Returns characters written.
std::size_t vformat_to(Writer& out, std::string_view fmt, const FormatArg* args, std::size_t count);

/// Formats @p fmt with @p args into @p out. Returns the number of characters written.
template <class... Args>
std::size_t format_to(Writer& out, std::string_view fmt, const Args&... args) {
    if constexpr (sizeof...(Args) == 0) {
        return vformat_to(out, fmt, nullptr, 0);
    } else {
        const FormatArg erased[] = {to_format_arg(args)...};
        return vformat_to(out, fmt, erased, sizeof...(Args));
    }
}

/// Formats into @p buffer of @p capacity bytes; returns the text (truncated if needed).
template <class... Args>
std::string_view format_buffer(char* buffer, std::size_t capacity, std::string_view fmt, const Args&... args) {
    BufferWriter w(buffer, capacity);
    format_to(w, fmt, args...);
    return w.view();
}

}  // namespace cops::lib
