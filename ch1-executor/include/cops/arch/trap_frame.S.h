/* trap_frame.S.h: assembly macros that store and load the general registers of a
 * TrapFrame (see trap_frame.hpp) at sp. Used by every trap vector of the kit. */
#pragma once

/* Bytes of a TrapFrame: x0..x31, sstatus, sepc, scause, stval. */
#define TRAP_FRAME_SIZE (36 * 8)

/* Stores x1 and x3..x31 at sp (x2, the interrupted sp, is the caller's business). */
.macro SAVE_GPRS
    sd      x1, 1*8(sp)
    .irp n, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd      x\n, \n*8(sp)
    .endr
.endm

/* Loads x1, x3 and x5..x31 from sp. tp (x4) is not loaded: it names the hart, and a
 * thread may return from a trap on another hart than it took it on. */
.macro LOAD_GPRS_EXCEPT_TP
    ld      x1, 1*8(sp)
    ld      x3, 3*8(sp)
    .irp n, 5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld      x\n, \n*8(sp)
    .endr
.endm

/* Stores sstatus, sepc, scause and stval after the registers of the TrapFrame at
 * \base (sp unless given; uses t0). */
.macro SAVE_TRAP_CSRS base=sp
    csrr    t0, sstatus
    sd      t0, 32*8(\base)
    csrr    t0, sepc
    sd      t0, 33*8(\base)
    csrr    t0, scause
    sd      t0, 34*8(\base)
    csrr    t0, stval
    sd      t0, 35*8(\base)
.endm
