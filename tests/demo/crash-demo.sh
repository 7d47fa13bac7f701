#!/bin/sh
# Crash containment, shown on purpose: build the kernels with the planted
# crashes of tests/demo/crash_demo_test.c (suite "crashdemo", linked after
# "boot") into build/crashdemo, then boot two rows of the matrix with
# tests/run.py.  Expected: each row FAILs with exactly three failed tests
# (crashdemo.page_fault, .panics, .hangs: crashed), the runner boots again
# after each, and every other test, of crashdemo and of the later suites,
# runs and passes.  The merged KTAP is in build/crashdemo/test/ROW.ktap.
#
#   sh tests/demo/crash-demo.sh [run.py options, e.g. --only 'i386-*']
set -e
cd "$(dirname "$0")/../.."
B=build/crashdemo
SRCS=$(make -s -f Makefile -f - print-test-srcs <<'MK'
print-test-srcs:
	@echo $(TEST_SRCS)
MK
)
SRCS=$(echo "$SRCS" | sed 's|tests/boot_test.c|& tests/demo/crash_demo_test.c|')
make -s B=$B TEST_SRCS="$SRCS" $B/i386/minnow.elf $B/x86_64/minnow.elf
[ $# -gt 0 ] || set -- --only 'i386-1cpu-128M' --only 'x86_64-2cpu-128M'
# The hang costs one timeout per row: keep it short.
exec python3 tests/run.py --build-dir $B --timeout 15 "$@"
