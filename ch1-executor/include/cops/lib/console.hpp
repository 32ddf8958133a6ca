/// @file console.hpp
/// @brief Formatted printing to the kernel console: console::print("x={}\n", x).
///
/// The console writes through a backend; ch1's is the SBI firmware console, and a
/// later layer (ch2's UART driver) installs its own with set_backend().
#pragma once

#include <string_view>

#include "cops/lib/format.hpp"

namespace cops::console {

/// Where console text goes.
class Backend : public lib::Writer {
public:
    /// Sends @p text to the device.
    void write(std::string_view text) override = 0;
    /// Waits until everything written has left the device (a buffered backend drains).
    virtual void flush() {}

protected:
    ~Backend() = default;
};

/// Installs @p backend (nullptr restores the SBI console). Returns the previous one.
Backend* set_backend(Backend* backend);
/// The backend in use.
Backend& backend();

/// Drains the backend: called before the machine powers off, so no output is lost.
void flush();

/// Writes @p text as is.
void write(std::string_view text);

/// Holds the console so that one message's pieces are not interleaved with another's.
void lock();
/// Releases the console.
void unlock();
/// Takes the console from a trap or panic path that may have interrupted a holder
/// of the lock on this hart (waiting would deadlock). The machine is about to stop.
void seize();

/// Prints formatted text (see format.hpp for the syntax).
template <class... Args>
void print(std::string_view fmt, const Args&... args) {
    lock();
    lib::format_to(backend(), fmt, args...);
    unlock();
}

/// Prints formatted text and a newline.
template <class... Args>
void println(std::string_view fmt, const Args&... args) {
    lock();
    lib::format_to(backend(), fmt, args...);
    backend().write("\n");
    unlock();
}

}  // namespace cops::console
