/// @file print.hpp
/// @brief print()/println() for user programs: ch1's formatter, one write() per call.
///
///     cops::user::println("pid {} got {:#x}", getpid(), value);
///
/// A line of up to kLineBytes goes out in one system call, so lines of different
/// processes do not mix.
#pragma once

#include <cstddef>
#include <string_view>

#include "cops/lib/format.hpp"

namespace cops::user {

/// Bytes print() collects before it writes.
inline constexpr std::size_t kLineBytes = 256;

/// A Writer that collects text and writes it to the console (fd 1) in large pieces.
class ConsoleWriter final : public lib::Writer {
public:
    /// Appends @p text, writing out what was collected whenever the buffer fills.
    void write(std::string_view text) override;
    /// Writes out what was collected.
    void flush();

private:
    char buffer_[kLineBytes];
    std::size_t used_ = 0;
};

/// Formats @p fmt with @p args (see cops/lib/format.hpp) to the console.
template <class... Args>
void print(std::string_view fmt, const Args&... args) {
    ConsoleWriter w;
    lib::format_to(w, fmt, args...);
    w.flush();
}

/// print() and a newline.
template <class... Args>
void println(std::string_view fmt, const Args&... args) {
    ConsoleWriter w;
    lib::format_to(w, fmt, args...);
    w.write("\n");
    w.flush();
}

}  // namespace cops::user
