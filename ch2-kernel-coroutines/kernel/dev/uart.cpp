/// @file uart.cpp
/// @brief ns16550a driver.
#include "cops/dev/uart.hpp"

#include <new>

#include "cops/boot/boot_info.hpp"
#include "cops/dev/plic.hpp"

namespace cops::dev {

namespace {
// Registers (index; multiplied by the stride).
constexpr unsigned kRbrThr = 0;            // receive buffer / transmit holding
constexpr unsigned kIer = 1;               // interrupt enable
constexpr unsigned kFcr = 2;               // FIFO control (write)
constexpr unsigned kLcr = 3;               // line control
constexpr unsigned kMcr = 4;               // modem control
constexpr unsigned kLsr = 5;               // line status
constexpr std::uint8_t kIerRx = 0x01;      // received data available
constexpr std::uint8_t kIerTx = 0x02;      // transmitter holding register empty
constexpr std::uint8_t kLsrDr = 0x01;      // data ready
constexpr std::uint8_t kLsrThre = 0x20;    // transmitter can take a byte
constexpr unsigned kIir = 2;               // interrupt identification (read)
constexpr std::uint8_t kIirFifos = 0xc0;   // both bits set: FIFOs are on
constexpr std::uint8_t kFcrEnable = 0x01;  // FIFOs on (a change of this bit empties them)
constexpr std::uint8_t kLcr8n1 = 0x03;
constexpr std::uint8_t kMcrOut2 = 0x0b;  // DTR, RTS, OUT2 (OUT2 gates the IRQ line on a PC 16550)
constexpr unsigned kTxFifo = 16;         // bytes the transmitter takes after a THRE

Uart* g_console = nullptr;
alignas(Uart) unsigned char g_console_storage[sizeof(Uart)];
}  // namespace

Uart::Uart(const UartPlacement& where) : base_(where.registers), stride_(where.stride), wide_(where.io_width == 4) {}

std::uint8_t Uart::in(unsigned reg) const {
    const std::uintptr_t at = base_ + reg * stride_;
    if (wide_) {  // the AXI UART16550: a 32-bit read, the register in its low byte
        return static_cast<std::uint8_t>(*reinterpret_cast<volatile std::uint32_t*>(at));
    }
    return *reinterpret_cast<volatile std::uint8_t*>(at);
}
void Uart::out(unsigned reg, std::uint8_t value) const {
    const std::uintptr_t at = base_ + reg * stride_;
    if (wide_) {
        *reinterpret_cast<volatile std::uint32_t*>(at) = value;
        return;
    }
    *reinterpret_cast<volatile std::uint8_t*>(at) = value;
}
bool Uart::can_send() const { return (in(kLsr)&kLsrThre) != 0; }

void Uart::start() {
    out(kIer, 0);
    out(kLcr, kLcr8n1);
    // Turning the FIFOs on empties them: keep what was typed before the driver started.
    if ((in(kIir)&kIirFifos) != kIirFifos) {
        receive_all();
        out(kFcr, kFcrEnable);
    }
    out(kMcr, kMcrOut2);
    out(kIer, kIerRx);
}

void Uart::drain_tx_locked() {
    // THRE means the transmit FIFO is empty: it takes up to 16 bytes at once.
    if (tx_count_ == 0 || !can_send()) {
        return;
    }
    for (unsigned n = 0; n < kTxFifo && tx_count_ > 0; ++n) {
        out(kRbrThr, static_cast<std::uint8_t>(tx_[tx_head_]));
        tx_head_ = (tx_head_ + 1) % kTxBytes;
        --tx_count_;
    }
    out(kIer, tx_count_ > 0 ? kIerRx | kIerTx : kIerRx);
}

void Uart::put_raw(char c) {
    // In order: while older bytes wait in the ring, new ones queue behind them.
    if (tx_count_ == 0 && can_send()) {
        out(kRbrThr, static_cast<std::uint8_t>(c));
        return;
    }
    while (tx_count_ == kTxBytes) {  // full: wait for the device (never drop console text)
        while (!can_send()) {}
        drain_tx_locked();
    }
    tx_[(tx_head_ + tx_count_) % kTxBytes] = c;
    ++tx_count_;
    out(kIer, kIerRx | kIerTx);
}

void Uart::write(std::string_view text) {
    sync::LockGuard guard(tx_lock_);
    for (char c : text) {
        put_raw(c);
    }
}

void Uart::flush() {
    // Called on the way to power-off, perhaps from a panic: do not wait for a lock
    // that the interrupted code may hold; drain by polling.
    while (tx_count_ > 0) {
        while (!can_send()) {}
        drain_tx_locked();
    }
}

void Uart::receive_all() {
    std::size_t got = 0;
    {
        sync::LockGuard guard(rx_lock_);
        while ((in(kLsr)&kLsrDr) != 0) {
            const char c = static_cast<char>(in(kRbrThr));
            if (rx_count_ == kRxBytes) {
                ++rx_dropped_;
                continue;
            }
            rx_[(rx_head_ + rx_count_) % kRxBytes] = c;
            ++rx_count_;
            ++got;
        }
    }
    rx_ready_.release(static_cast<std::uint32_t>(got));  // wakes the readers, outside the lock
}

void Uart::on_interrupt(void* self) {
    auto& u = *static_cast<Uart*>(self);
    u.receive_all();
    sync::LockGuard guard(u.tx_lock_);
    u.drain_tx_locked();
}

sched::Task<char> Uart::read() {
    co_await rx_ready_.acquire();
    co_return take_byte();
}

sched::Task<int> Uart::read_unless(const std::atomic<std::uint32_t>& cancel) {
    const bool took = co_await rx_ready_.acquire_unless(cancel);
    if (!took) {
        co_return -1;
    }
    co_return static_cast<unsigned char>(take_byte());
}

char Uart::take_byte() {
    sync::LockGuard guard(rx_lock_);
    const char c = rx_[rx_head_];
    rx_head_ = (rx_head_ + 1) % kRxBytes;
    --rx_count_;
    return c;
}

Result<Uart*> probe_uart() {
    auto where = find_uart(boot::fdt());
    if (!where) {
        return where.error();
    }
    auto* uart = new (g_console_storage) Uart(where.value());
    uart->start();
    if (!plic::attach(where.value().irq, Uart::on_interrupt, uart, 0)) {
        return Error::NotFound;
    }
    g_console = uart;
    return uart;
}

Uart* console_uart() { return g_console; }

}  // namespace cops::dev
