/* user_entry.S: the way into user mode and the way back (see user_context.hpp).
 *
 * UserContext layout: the TrapFrame (x0..x31 at 0, sstatus 256, sepc 264, scause
 * 272, stval 280), then the kernel registers ra, sp, tp, s0..s11 from 288. */

#include "cops/arch/trap_frame.S.h"


#define KERNEL_REGS (36 * 8)

    .section .text
    .globl enter_user
    .balign 4
enter_user:
    /* Keep what the caller expects back: ra, sp, tp (this hart) and s0..s11. */
    sd      ra, KERNEL_REGS + 0*8(a0)
    sd      sp, KERNEL_REGS + 1*8(a0)
    sd      tp, KERNEL_REGS + 2*8(a0)
    sd      s0, KERNEL_REGS + 3*8(a0)
    sd      s1, KERNEL_REGS + 4*8(a0)
    .irp n, 2,3,4,5,6,7,8,9,10,11
    sd      s\n, KERNEL_REGS + (3+\n)*8(a0)
    .endr

    /* While in user mode, traps come to user_trap_entry with the context in sscratch. */
    csrw    sscratch, a0
    la      t0, user_trap_entry
    csrw    stvec, t0
    ld      t0, 32*8(a0)
    csrw    sstatus, t0             /* SPP = user, SPIE = 1: sret enables interrupts */
    ld      t0, 33*8(a0)
    csrw    sepc, t0

    /* All user registers, a0 (the context pointer) last. */
    ld      x1, 1*8(a0)
    ld      x2, 2*8(a0)
    ld      x3, 3*8(a0)
    ld      x4, 4*8(a0)
    .irp n, 5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld      x\n, \n*8(a0)
    .endr
    ld      a0, 10*8(a0)
    sret

    /* A trap from user mode. Only sscratch knows where the context is. */
    .globl user_trap_entry
    .balign 4
user_trap_entry:
    csrrw   a0, sscratch, a0        /* a0 = context, sscratch = the user's a0 */
    sd      x1, 1*8(a0)
    sd      x2, 2*8(a0)
    sd      x3, 3*8(a0)
    sd      x4, 4*8(a0)
    .irp n, 5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd      x\n, \n*8(a0)
    .endr
    csrr    t0, sscratch
    sd      t0, 10*8(a0)
    csrw    sscratch, zero          /* back in the kernel: trap_entry's convention */
    SAVE_TRAP_CSRS a0

    /* Kernel traps go to the kernel's vector again. */
    la      t0, trap_entry
    csrw    stvec, t0

    /* Return from enter_user() with the kernel's registers. */
    ld      ra, KERNEL_REGS + 0*8(a0)
    ld      sp, KERNEL_REGS + 1*8(a0)
    ld      tp, KERNEL_REGS + 2*8(a0)
    ld      s0, KERNEL_REGS + 3*8(a0)
    ld      s1, KERNEL_REGS + 4*8(a0)
    .irp n, 2,3,4,5,6,7,8,9,10,11
    ld      s\n, KERNEL_REGS + (3+\n)*8(a0)
    .endr
    ret
