/// @file loader.cpp
/// @brief ELF segments into user pages; the main thread's argc/argv.
#include "cops/proc/loader.hpp"

#include "cops/lib/console.hpp"
#include "cops/mm/user_layout.hpp"
#include "cops/proc/elf.hpp"
#include "cops/proc/process.hpp"

namespace cops::proc {

Result<std::uint64_t> load_elf(mm::AddressSpace& space, std::span<const std::byte> elf, std::string_view name) {
    const char* why = nullptr;
    auto image = parse_elf(elf, {mm::kUserBase, mm::kVdsoBase}, &why);  // below the shared scheduler
    if (!image) {
        console::println("loader: {}: not a valid program: {}", name, why != nullptr ? why : "?");
        return image.error();
    }
    for (unsigned i = 0; i < image.value().segment_count; ++i) {
        const ElfSegment& s = image.value().segments[i];
        if (const Status st = space.map_zeroed(s.address, s.memory_size, s.perms); !st) {
            return st.error();
        }
        if (const Status st = space.write(s.address, elf.data() + s.file_offset, s.file_size); !st) {
            return st.error();
        }
    }
    return image.value().entry;
}

Result<std::uint64_t> map_thread_stack(mm::AddressSpace& space, unsigned slot) {
    const std::uint64_t top = mm::kUserStackTop - slot * mm::kStackSlot;
    const Status s =
        space.map_zeroed(top - mm::kUserStackBytes, mm::kUserStackBytes, mm::PteFlag::Read | mm::PteFlag::Write);
    if (!s) {
        return s.error();
    }
    return top;
}

std::string_view next_word(std::string_view& rest) {
    const std::size_t begin = rest.find_first_not_of(' ');
    if (begin == std::string_view::npos) {
        rest = {};
        return {};
    }
    rest.remove_prefix(begin);
    const std::size_t end = rest.find(' ');
    const std::string_view word = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
    return word;
}

Result<StackStart> push_arguments(mm::AddressSpace& space, std::uint64_t stack_top, std::string_view command_line) {
    std::uint64_t pointers[kMaxArgs + 1] = {};
    unsigned argc = 0;
    std::uint64_t sp = stack_top;
    std::string_view rest = command_line;
    for (std::string_view word = next_word(rest); !word.empty(); word = next_word(rest)) {
        if (argc == kMaxArgs) {
            return Error::Malformed;
        }
        // Each word with a NUL, just below the previous one.
        sp -= word.size() + 1;
        const char nul = '\0';
        if (!space.write(sp, word.data(), word.size()) || !space.write(sp + word.size(), &nul, 1)) {
            return Error::OutOfMemory;
        }
        pointers[argc++] = sp;
    }
    pointers[argc] = 0;
    sp &= ~std::uint64_t{15};
    sp -= ((argc + 1) * sizeof(std::uint64_t) + 15) & ~std::size_t{15};
    if (!space.write(sp, pointers, (argc + 1) * sizeof(std::uint64_t))) {
        return Error::OutOfMemory;
    }
    return StackStart{sp, argc, sp};
}

}  // namespace cops::proc
