/* vdso_page.S: the two pages of user-interrupt entry points (uintr_abi.hpp,
 * VdsoEntry). The kernel maps one of them into every process at kVdsoAddress:
 * `uintr_vdso_emulated` on machines without the N extension (QEMU), where the
 * state lives in the process's state page and `ecall`s at two known addresses
 * stand for uret and "take a pending interrupt now"; `uintr_vdso_native` where
 * the CPU has the N extension and a UINTC, with the real instructions. The same
 * user binary runs on either.
 *
 * Both are position-independent: the trampoline finds the state page (mapped
 * right after this page) with auipc. */

#define SLOT_USTATUS 0
#define SLOT_UIE 8
#define SLOT_UIP 16
#define SLOT_UTVEC 24
#define SLOT_UCAUSE 48
#define SLOT_PENDING 64
#define SLOT_HANDLER 72
#define SLOT_SHIFT 7                 /* 128-byte slots */
#define FRAME 256
#define SYS_UIPI_SEND 43

#define CSR_USTATUS 0x000
#define CSR_UIE 0x004
#define CSR_UTVEC 0x005
#define CSR_USCRATCH 0x040
#define CSR_UCAUSE 0x042
#define CSR_UIP 0x044
#define UINSN_URET 0x00200073
/* uipi_read a0 (funct7 1, rd a0) and uipi_send a0 (funct7 0, rs1 a0) */
#define UINSN_READ_A0 ((1 << 25) | (2 << 12) | (10 << 7) | 0x7b)
#define UINSN_SEND_A0 ((10 << 15) | (2 << 12) | 0x7b)

.macro UINTR_PAGE native
    .balign 4096
0:
    /* +0x000 Uret: the trampoline's last step */
    .if \native
    .word   UINSN_URET
    .else
    ecall                           /* the kernel knows this pc: uret */
    .endif

    /* +0x010 Sync: take a pending, enabled interrupt now */
    .org 0b + 0x010
1:
    .if \native
    ret
    .else
    ecall                           /* the kernel knows this pc: delivery on the way back */
    ret
    .endif

    /* +0x020 Enable(slot) */
    .org 0b + 0x020
    .if \native
    csrsi   CSR_USTATUS, 1
    ret
    .else
    li      t0, 1
    amoor.d zero, t0, (a0)          /* ustatus.UIE */
    ld      t0, SLOT_UIE(a0)
    ld      t1, SLOT_UIP(a0)
    and     t0, t0, t1
    andi    t0, t0, 1
    beqz    t0, 2f
    j       1b                      /* pending and enabled: take it now */
2:  ret
    .endif

    /* +0x060 Disable(slot) -> old UIE */
    .org 0b + 0x060
    .if \native
    csrrci  a0, CSR_USTATUS, 1
    andi    a0, a0, 1
    ret
    .else
    mv      t1, a0
    li      t0, -2
    amoand.d a0, t0, (t1)
    andi    a0, a0, 1
    ret
    .endif

    /* +0x080 TakePending(slot) -> bits (USIP cleared first) */
    .org 0b + 0x080
    .if \native
    csrci   CSR_UIP, 1
    .word   UINSN_READ_A0
    ret
    .else
    addi    t1, a0, SLOT_UIP
    li      t0, -2
    amoand.d zero, t0, (t1)
    addi    t1, a0, SLOT_PENDING
    amoswap.d a0, zero, (t1)
    ret
    .endif

    /* +0x0a0 Send(handle) -> 0 or -errno */
    .org 0b + 0x0a0
    .if \native
    .word   UINSN_SEND_A0
    li      a0, 0
    ret
    .else
    li      a7, SYS_UIPI_SEND
    ecall
    ret
    .endif

    /* +0x0c0 Setup(slot, utvec): utvec, uie.USIE, uscratch = slot */
    .org 0b + 0x0c0
    .if \native
    csrw    CSR_UTVEC, a1
    csrw    CSR_USCRATCH, a0
    csrsi   CSR_UIE, 1
    ret
    .else
    sd      a1, SLOT_UTVEC(a0)
    sd      a0, 32(a0)
    li      t0, 1
    addi    t1, a0, SLOT_UIE
    amoor.d zero, t0, (t1)
    ret
    .endif

    /* +0x100 Cause(slot) -> ucause */
    .org 0b + 0x100
    .if \native
    csrr    a0, CSR_UCAUSE
    ret
    .else
    ld      a0, SLOT_UCAUSE(a0)
    ret
    .endif

    /* +0x110 Backend() -> 0 emulated, 1 native */
    .org 0b + 0x110
    li      a0, \native
    ret

    /* +0x200 the trampoline's common part: t0 = the thread index, t0 saved at 5*8(sp) */
    .org 0b + 0x200
3:
    sd      x1, 1*8(sp)
    sd      x3, 3*8(sp)
    sd      x4, 4*8(sp)
    .irp n, 6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd      x\n, \n*8(sp)
    .endr
    slli    t0, t0, SLOT_SHIFT
    auipc   t1, 0
    srli    t1, t1, 12
    slli    t1, t1, 12              /* this page (page-aligned) */
    li      t2, 4096
    add     t1, t1, t2              /* the state page */
    add     a0, t1, t0              /* this thread's slot */
    ld      t3, SLOT_HANDLER(a0)
    beqz    t3, 5f
    jalr    t3                      /* handler(slot) */
5:
    ld      x1, 1*8(sp)
    ld      x3, 3*8(sp)
    ld      x4, 4*8(sp)
    .irp n, 5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld      x\n, \n*8(sp)
    .endr
    addi    sp, sp, FRAME
    j       0b                      /* Uret */

    /* +0x400 the trampoline entries: thread index i at +16 x i (a utvec value) */
    .org 0b + 0x400
    .set index, 0
    .rept 32
    addi    sp, sp, -FRAME
    sd      t0, 5*8(sp)
    li      t0, index
    j       3b
    .set index, index + 1
    .endr
    .balign 4096
.endm

    .section .text.uintr_vdso, "ax"
    .option push
    .option norvc
    .option norelax
    .globl uintr_vdso_emulated
    .balign 4096
uintr_vdso_emulated:
    UINTR_PAGE 0
    .globl uintr_vdso_native
uintr_vdso_native:
    UINTR_PAGE 1
    .option pop
