/// @file registers.hpp
/// @brief How the board's drivers reach a device's 32-bit registers: straight at an
/// address on the machine, or through a register-level model in the host tests.
#pragma once

#include <cstdint>

namespace cops::fpga {

/// A block of 32-bit device registers.
class Registers32 {
public:
    /// What a register-level model answers in place of the device (host tests only).
    class Model {
    public:
        /// The register at byte @p offset.
        virtual std::uint32_t read(std::uint32_t offset) = 0;
        /// Writes @p value to the register at byte @p offset; the model acts on it.
        virtual void write(std::uint32_t offset, std::uint32_t value) = 0;

    protected:
        ~Model() = default;
    };

    /// No registers (a driver that has not started).
    Registers32() = default;
    /// The device's registers at @p base (the kernel maps devices one to one).
    static Registers32 at(std::uintptr_t base) { return Registers32(base, nullptr); }
    /// A model's registers.
    static Registers32 modelled(Model& model) { return Registers32(0, &model); }

    /// The register at byte @p offset.
    std::uint32_t read(std::uint32_t offset) const {
        return model_ != nullptr ? model_->read(offset) : *reinterpret_cast<volatile std::uint32_t*>(base_ + offset);
    }
    /// Writes @p value to the register at byte @p offset.
    void write(std::uint32_t offset, std::uint32_t value) const {
        if (model_ != nullptr) {
            model_->write(offset, value);
            return;
        }
        *reinterpret_cast<volatile std::uint32_t*>(base_ + offset) = value;
    }
    /// The base address (0 for a model).
    std::uintptr_t base() const { return base_; }

private:
    Registers32(std::uintptr_t base, Model* model) : base_(base), model_(model) {}

    std::uintptr_t base_ = 0;
    Model* model_ = nullptr;
};

}  // namespace cops::fpga
