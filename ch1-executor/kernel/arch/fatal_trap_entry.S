/* fatal_trap_entry.S: ch1's trap vector. In chapter 1 no trap is expected except
 * the test watchdog's timer, so every trap is reported: the entry switches to an
 * emergency stack (its top is kept in sscratch), saves all registers as a
 * TrapFrame and calls fatal_trap(). ch2 installs a full trap vector instead. */

#define FRAME_SIZE (36 * 8)

    .section .text
    .globl fatal_trap_entry
    .balign 4
fatal_trap_entry:
    csrrw   sp, sscratch, sp        /* sp = emergency stack, sscratch = old sp */
    addi    sp, sp, -FRAME_SIZE
    sd      x1, 1*8(sp)
    sd      x3, 3*8(sp)
    sd      x4, 4*8(sp)
    sd      x5, 5*8(sp)
    sd      x6, 6*8(sp)
    sd      x7, 7*8(sp)
    sd      x8, 8*8(sp)
    sd      x9, 9*8(sp)
    sd      x10, 10*8(sp)
    sd      x11, 11*8(sp)
    sd      x12, 12*8(sp)
    sd      x13, 13*8(sp)
    sd      x14, 14*8(sp)
    sd      x15, 15*8(sp)
    sd      x16, 16*8(sp)
    sd      x17, 17*8(sp)
    sd      x18, 18*8(sp)
    sd      x19, 19*8(sp)
    sd      x20, 20*8(sp)
    sd      x21, 21*8(sp)
    sd      x22, 22*8(sp)
    sd      x23, 23*8(sp)
    sd      x24, 24*8(sp)
    sd      x25, 25*8(sp)
    sd      x26, 26*8(sp)
    sd      x27, 27*8(sp)
    sd      x28, 28*8(sp)
    sd      x29, 29*8(sp)
    sd      x30, 30*8(sp)
    sd      x31, 31*8(sp)
    csrr    t0, sscratch
    sd      t0, 2*8(sp)             /* the interrupted sp */
    csrr    t0, sstatus
    sd      t0, 32*8(sp)
    csrr    t0, sepc
    sd      t0, 33*8(sp)
    csrr    t0, scause
    sd      t0, 34*8(sp)
    csrr    t0, stval
    sd      t0, 35*8(sp)
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
