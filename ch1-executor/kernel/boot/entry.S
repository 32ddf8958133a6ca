/* entry.S: the first instructions of the kernel.
 *
 * OpenSBI jumps here in S-mode with a0 = hart id and a1 = device tree address.
 * We give the hart its boot stack, clear BSS (boot hart only) and call C++.
 * Secondary harts started through SBI HSM enter at _start_secondary (or, through a
 * firmware race, at _start: see started_at_boot_entry). */

#define BOOT_STACK_SIZE 0x10000   /* 64 KiB per hart */
#define MAX_HARTS 8

    .section .text.entry
    .globl _start
_start:
    li      t0, MAX_HARTS
    bgeu    a0, t0, too_many_harts  /* the boot hart has no stack: say so, power off */
    /* Only the first hart here is the boot hart. OpenSBI 1.1's hart_start marks a hart
     * START_PENDING before it stores the start address, so a secondary hart that wakes
     * in that window jumps here, to the boot entry, instead of _start_secondary. Let
     * it through and it would clear BSS under the running kernel. */
    la      t0, boot_entry_taken
    li      t1, 1
    amoswap.w.aqrl t1, t1, (t0)
    bnez    t1, started_at_boot_entry
    /* sp = boot_stacks + (hartid + 1) * BOOT_STACK_SIZE */
    la      sp, boot_stacks
    li      t1, BOOT_STACK_SIZE
    addi    t2, a0, 1
    mul     t1, t1, t2
    add     sp, sp, t1
    mv      s0, zero                /* frame pointer 0 ends every backtrace */
    /* Clear BSS. The stacks live in their own section, outside this range. */
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  call    kernel_boot             /* (hartid, dtb); does not return */
park:                               /* a secondary hart the kernel has no slot for */
    wfi
    j       park

/* OpenSBI chose a boot hart whose id is MAX_HARTS or more (QEMU -smp > 8): print why
 * through the legacy SBI console (extension 1, no stack needed), then shut down (SBI
 * SRST, extension "SRST": shutdown, system failure) instead of hanging silently. */
too_many_harts:
    la      t1, too_many_harts_text
1:  lbu     a0, 0(t1)
    beqz    a0, 2f
    li      a7, 1                   /* sbi_console_putchar */
    ecall
    addi    t1, t1, 1
    j       1b
2:  li      a7, 0x53525354          /* SRST */
    li      a6, 0                   /* system_reset */
    li      a0, 0                   /* shutdown */
    li      a1, 1                   /* reason: system failure */
    ecall
    j       park

    .section .rodata
too_many_harts_text:
    .asciz  "kernel: booted on a hart whose id is 8 or more; the kit's kernels run on 1 to 8 harts (use -smp 8 or fewer)\n"
    .section .text.entry

/* A secondary hart that came in through _start (above). Its a1 is not the index that
 * hart_start passed: the kernel wrote that index to secondary_index_by_hart before
 * the call (ch2's start_secondary_harts), so take it from there, note the detour in
 * boot_detoured_harts (the boot log reports it) and go on as a secondary. A hart the
 * kernel never started waits here for good. */
started_at_boot_entry:
    li      t0, MAX_HARTS
    bgeu    a0, t0, park
    la      t0, secondary_index_by_hart
    slli    t1, a0, 2
    add     t0, t0, t1
1:  lw      a1, 0(t0)
    fence   r, rw
    beqz    a1, 1b                  /* index 0 is the boot hart's: not named yet */
    la      t0, boot_detoured_harts
    li      t1, 1
    sll     t1, t1, a0
    amoor.w.aqrl zero, t1, (t0)
    j       _start_secondary

    .globl _start_secondary
_start_secondary:                   /* a0 = hart id, a1 = opaque from hart_start */
    li      t0, MAX_HARTS
    bgeu    a0, t0, park
    la      sp, boot_stacks
    li      t1, BOOT_STACK_SIZE
    addi    t2, a0, 1
    mul     t1, t1, t2
    add     sp, sp, t1
    mv      s0, zero
    call    kernel_secondary_boot
    j       park

    /* In .data, not BSS: the boot hart clears BSS after it has taken the entry. */
    .section .data
    .balign 4
    .globl boot_entry_taken, secondary_index_by_hart, boot_detoured_harts
boot_entry_taken:
    .word   0
boot_detoured_harts:                /* bit h: hart h came in through _start */
    .word   0
secondary_index_by_hart:            /* hart id -> the index hart_start gives it (0: none) */
    .zero   4 * MAX_HARTS

    .section .boot_stack, "aw", @nobits
    .balign 4096
    .globl boot_stacks, boot_stacks_end
boot_stacks:
    .space  BOOT_STACK_SIZE * MAX_HARTS
boot_stacks_end:
