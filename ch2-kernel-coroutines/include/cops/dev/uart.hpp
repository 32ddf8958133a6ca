/// @file uart.hpp
/// @brief An interrupt-driven ns16550a UART: the kernel console and `co_await uart.read()`.
///
/// Found in the device tree (`ns16550a`; placement.hpp reads its `reg-offset`,
/// `reg-shift` and `reg-io-width`: byte registers on QEMU virt, 32-bit ones 4 bytes
/// apart on the FPGA board's AXI UART16550). It
/// becomes the console backend at boot. Received bytes are put in a ring by the
/// interrupt handler, which releases a semaphore per byte: that is how the interrupt
/// wakes the reading coroutine. Output goes straight to the transmitter while it has
/// room, else into a ring that the transmit interrupt drains.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "cops/dev/placement.hpp"
#include "cops/lib/console.hpp"
#include "cops/lib/result.hpp"
#include "cops/sched/task.hpp"
#include "cops/sync/semaphore.hpp"
#include "cops/sync/spinlock.hpp"

namespace cops::dev {

/// One ns16550a.
class Uart final : public console::Backend {
public:
    /// Bytes the receive ring holds; more arriving before they are read are dropped (counted).
    static constexpr std::size_t kRxBytes = 256;
    /// Bytes the transmit ring holds; a writer finding it full waits for the device.
    static constexpr std::size_t kTxBytes = 1024;

    /// A UART whose registers are where @p where says.
    explicit Uart(const UartPlacement& where);

    /// Programs the line (8N1, FIFOs on) and enables the receive interrupt.
    void start();
    /// Console output.
    void write(std::string_view text) override;
    /// Waits (polling) until every byte has gone to the device.
    void flush() override;

    /// Reads one byte, blocking the calling coroutine until one arrives.
    sched::Task<char> read();
    /// Like read(), but gives up once @p cancel is non-zero and the coroutine is woken:
    /// the byte (0..255), or -1 when cancelled (ch4: the reading process ended).
    sched::Task<int> read_unless(const std::atomic<std::uint32_t>& cancel);
    /// Bytes received and not yet read.
    std::size_t pending() const { return rx_ready_.available(); }
    /// Bytes dropped because the receive ring was full.
    std::size_t dropped() const { return rx_dropped_; }

    /// The interrupt handler (called by the PLIC driver).
    static void on_interrupt(void* self);

private:
    std::uint8_t in(unsigned reg) const;
    void out(unsigned reg, std::uint8_t value) const;
    bool can_send() const;
    void put_raw(char c);
    void drain_tx_locked();
    void receive_all();
    /// Takes the oldest received byte (a unit of rx_ready_ was taken for it).
    char take_byte();

    std::uintptr_t base_;
    unsigned stride_;
    bool wide_;  // 32-bit accesses (reg-io-width 4)
    // Receive side: the interrupt handler fills, read() empties.
    sync::SpinLock rx_lock_;
    char rx_[kRxBytes] = {};
    std::size_t rx_head_ = 0;
    std::size_t rx_count_ = 0;
    std::size_t rx_dropped_ = 0;
    sync::Semaphore rx_ready_{0};
    // Transmit side.
    sync::SpinLock tx_lock_;
    char tx_[kTxBytes] = {};
    std::size_t tx_head_ = 0;
    std::size_t tx_count_ = 0;
};

/// Finds the console UART in the device tree and starts it (interrupts go to hart 0).
/// Errors: NotFound, Malformed, OutOfMemory.
Result<Uart*> probe_uart();
/// The console UART, or nullptr if there is none.
Uart* console_uart();

}  // namespace cops::dev
