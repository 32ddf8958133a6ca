/// @file uintc.cpp
/// @brief Programming the user-interrupt controller's receiver blocks.
#include "cops/uintr/uintc.hpp"

namespace cops::uintr::uintc {

void Controller::bind(unsigned index, unsigned hart_id, bool active) {
    *reg(index, kStatus) = status_value(hart_id, active);
    *reg(index, kActive) = active ? 1 : 0;
}

void Controller::send(unsigned index, unsigned vector) { *reg(index, kSend) = vector & 63; }

std::uint64_t Controller::pending(unsigned index) const { return *reg(index, kPending); }

void Controller::reset(unsigned index) {
    *reg(index, kStatus) = 0;
    *reg(index, kActive) = 0;
    *reg(index, kPending) = 0;
}

}  // namespace cops::uintr::uintc
