/* switch_context.S: switch a hart from one kernel stack to another.
 *
 *   void switch_context(Context* save, const Context* load);
 *
 * Only the callee-saved registers need saving: the caller of switch_context has
 * already spilled everything else, as for any function call. tp is not touched: it
 * names the hart, and a thread may continue on another hart than it left. */

    .section .text
    .globl switch_context
    .balign 4
switch_context:
    sd      ra, 0*8(a0)
    sd      sp, 1*8(a0)
    sd      s0, 2*8(a0)
    sd      s1, 3*8(a0)
    sd      s2, 4*8(a0)
    sd      s3, 5*8(a0)
    sd      s4, 6*8(a0)
    sd      s5, 7*8(a0)
    sd      s6, 8*8(a0)
    sd      s7, 9*8(a0)
    sd      s8, 10*8(a0)
    sd      s9, 11*8(a0)
    sd      s10, 12*8(a0)
    sd      s11, 13*8(a0)
    ld      ra, 0*8(a1)
    ld      sp, 1*8(a1)
    ld      s0, 2*8(a1)
    ld      s1, 3*8(a1)
    ld      s2, 4*8(a1)
    ld      s3, 5*8(a1)
    ld      s4, 6*8(a1)
    ld      s5, 7*8(a1)
    ld      s6, 8*8(a1)
    ld      s7, 9*8(a1)
    ld      s8, 10*8(a1)
    ld      s9, 11*8(a1)
    ld      s10, 12*8(a1)
    ld      s11, 13*8(a1)
    ret

/* A fresh pool thread: s0 = 0 ends its backtrace; thread_main never returns. */
    .globl thread_start
thread_start:
    mv      s0, zero
    call    thread_main
1:  wfi
    j       1b
