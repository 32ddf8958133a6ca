"""The kit's test harness: boots test kernels in QEMU, reads their TAP, runs host
unit tests, and reports one line per test and a final `N passed, N failed`.

The grader (grader/) builds on these modules; each is small and tested on its own
(harness/tests/).
"""
