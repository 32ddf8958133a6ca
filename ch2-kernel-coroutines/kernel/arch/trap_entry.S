/* trap_entry.S: the kernel's trap vector (ch2).
 *
 * A trap in S-mode arrives on the interrupted code's own kernel stack. We push a
 * TrapFrame (36 words, see trap_frame.hpp) below it, call trap_dispatch(frame) and
 * restore everything from the frame, including sepc and sstatus: while we were away
 * this thread may have been set aside (preempted) and continued on another hart,
 * where those CSRs belong to other traps.
 *
 * tp is not restored: it names the hart, and we may be returning on another one. */

#include "cops/arch/trap_frame.S.h"

    .section .text
    .globl trap_entry
    .balign 4
trap_entry:
    addi    sp, sp, -TRAP_FRAME_SIZE
    SAVE_GPRS
    addi    t0, sp, TRAP_FRAME_SIZE
    sd      t0, 2*8(sp)             /* the interrupted sp */
    SAVE_TRAP_CSRS

    mv      a0, sp
    call    trap_dispatch

    ld      t0, 32*8(sp)
    csrw    sstatus, t0
    ld      t0, 33*8(sp)
    csrw    sepc, t0
    LOAD_GPRS_EXCEPT_TP
    addi    sp, sp, TRAP_FRAME_SIZE
    sret
