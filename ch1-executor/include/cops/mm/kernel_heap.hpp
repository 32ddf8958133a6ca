/// @file kernel_heap.hpp
/// @brief The kernel's heap: one SizeClassHeap behind operator new and coroutine frames.
#pragma once

#include "cops/mm/size_class_heap.hpp"

namespace cops::mm {

/// The kernel heap (initialised by the boot code before constructors run).
SizeClassHeap& kernel_heap();

}  // namespace cops::mm
