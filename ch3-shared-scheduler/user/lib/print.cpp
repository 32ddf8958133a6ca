/// @file print.cpp
/// @brief The console writer behind print().
#include "cops/user/print.hpp"

#include <cstring>

#include "cops/user/sys.hpp"

namespace cops::user {

void ConsoleWriter::write(std::string_view text) {
    while (!text.empty()) {
        if (used_ == kLineBytes) {
            flush();
        }
        const std::size_t n = text.size() < kLineBytes - used_ ? text.size() : kLineBytes - used_;
        std::memcpy(buffer_ + used_, text.data(), n);
        used_ += n;
        text.remove_prefix(n);
    }
}

void ConsoleWriter::flush() {
    if (used_ > 0) {
        (void)user::write(1, buffer_, used_);
        used_ = 0;
    }
}

}  // namespace cops::user
