/* fatal_trap_entry.S: ch1's trap vector. In chapter 1 no trap is expected except
 * the test watchdog's timer, so every trap is reported: the entry switches to an
 * emergency stack (its top is kept in sscratch), saves all registers as a
 * TrapFrame and calls fatal_trap(). ch2 installs a full trap vector instead. */

#include "cops/arch/trap_frame.S.h"

    .section .text
    .globl fatal_trap_entry
    .balign 4
fatal_trap_entry:
    csrrw   sp, sscratch, sp        /* sp = emergency stack, sscratch = old sp */
    addi    sp, sp, -TRAP_FRAME_SIZE
    SAVE_GPRS
    csrr    t0, sscratch
    sd      t0, 2*8(sp)             /* the interrupted sp */
    SAVE_TRAP_CSRS
    mv      a0, sp
    mv      s0, zero
    call    fatal_trap              /* does not return */
1:  wfi
    j       1b

    .section .bss
    .balign 16
    .globl emergency_stack, emergency_stack_top
emergency_stack:
    .space  16384
emergency_stack_top:
