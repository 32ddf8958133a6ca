/* crt0.S: where every user program starts. The kernel enters here with the stack
 * set up, a0 = argc and a1 = argv; cops_start (start.cpp) does the rest. */
    .section .text.entry
    .globl _start
_start:
    mv      fp, zero                /* the outermost frame: backtraces stop here */
    mv      ra, zero
    call    cops_start
1:  j       1b                      /* cops_start never returns */

/* New threads start here (see thread_create in threads.cpp): a0 = the function,
 * a1 = its argument. */
    .section .text
    .globl cops_thread_entry
cops_thread_entry:
    mv      fp, zero
    mv      ra, zero
    call    cops_thread_start
1:  j       1b
