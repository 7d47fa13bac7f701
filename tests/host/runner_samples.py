"""Shared fixtures of the runner's host tests (test_ktap.py, test_matrix.py,
test_run.py): the runner's modules, sample serial logs, helpers.

Importing this file imports tests/run.py by path, whatever the current
directory is; run.py puts tests/ on sys.path, so the modules it imports
(ktap, matrix, boot, verdict) are the very ones the tests reach below,
and patching matrix_module.MATRIX_ROWS changes what run.main() boots.

The sample logs are what the kernel prints on COM1: a clean run, a
failure, a crash, malformed KTAP, a hang, and the three boots of a
crash-contained run.
"""

import importlib.util
import sys
import textwrap
from pathlib import Path

RUN_PY = Path(__file__).resolve().parent.parent / "run.py"


def load_runner():
    """Import tests/run.py by path, whatever the current directory is."""
    spec = importlib.util.spec_from_file_location("minnow_run", RUN_PY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


run = load_runner()
# The modules run.py imported from tests/ (it puts tests/ on sys.path):
# the very objects run.main() uses, so that a test can patch them.
import matrix as matrix_module  # noqa: E402,F401  tests/matrix.py
from ktap import crash_point, parse_ktap  # noqa: E402
from verdict import RunInfo     # noqa: E402


def ktap(text):
    return textwrap.dedent(text).lstrip("\n")


BANNER = ktap("""
    Minnow 0.1 (x86_64) booting
    memory map:
      0x0000000000000000-0x000000000009fbff usable
      0x0000000000100000-0x0000000007fdffff usable
    """)

ALL_PASS = BANNER + ktap("""
    KTAP version 1
    1..2
        KTAP version 1
        # Subtest: lib
        1..3
        ok 1 memcpy_basic
        ok 2 printf_width
        ok 3 strtoull_bases # SKIP needs 2 CPUs
    # lib: pass:2 fail:0 skip:1 total:3
    ok 1 lib
        KTAP version 1
        # Subtest: boot
        1..2
        ok 1 memmap_sorted
        ok 2 cmdline_parse
    # boot: pass:2 fail:0 skip:0 total:2
    ok 2 boot
    # ktest: 4 passed, 0 failed, 1 skipped
    """)

ONE_FAILURE = BANNER + ktap("""
    KTAP version 1
    1..2
        KTAP version 1
        # Subtest: lib
        1..4
        ok 1 memcpy_basic
        # lib_test.c:42: expected x == y
        #     left  = 3 (0x3, signed 3)
        #     right = 4 (0x4, signed 4)
        not ok 2 printf_width
        ok 3 strtoull_bases # SKIP needs 2 CPUs
        ok 4 foo
    # lib: pass:2 fail:1 skip:1 total:4
    not ok 1 lib
        KTAP version 1
        # Subtest: boot
        1..1
        ok 1 memmap_sorted
    # boot: pass:1 fail:0 skip:0 total:1
    ok 2 boot
    # ktest: 3 passed, 1 failed, 1 skipped
    """)

BAIL_OUT = BANNER + ktap("""
    KTAP version 1
    1..2
        KTAP version 1
        # Subtest: lib
        1..1
        ok 1 memcpy_basic
    # lib: pass:1 fail:0 skip:0 total:1
    ok 1 lib
        KTAP version 1
        # Subtest: trap
        1..3
        ok 1 breakpoint
        not ok 2 page_fault
    Bail out! trap.page_fault crashed: page fault at 0xdeadbeef
    trap 14 (page fault) error 0x2 cr2 0xdeadbeef
      rip 0xffffffff80101234 trap_test_page_fault+0x14
      rsp 0xffffffff80200f00
    backtrace:
      ktest_main+0x120
      kmain+0x88
    """)

MISSING_TOP_PLAN = ktap("""
    KTAP version 1
        KTAP version 1
        # Subtest: lib
        1..1
        ok 1 memcpy_basic
    ok 1 lib
    """)

MISSING_NESTED_PLAN = ktap("""
    KTAP version 1
    1..1
        KTAP version 1
        # Subtest: lib
        ok 1 memcpy_basic
    ok 1 lib
    """)

NESTED_COUNT_MISMATCH = ktap("""
    KTAP version 1
    1..1
        KTAP version 1
        # Subtest: lib
        1..3
        ok 1 memcpy_basic
        ok 2 printf_width
    ok 1 lib
    """)

TOP_COUNT_MISMATCH = ktap("""
    KTAP version 1
    1..2
        KTAP version 1
        # Subtest: lib
        1..1
        ok 1 memcpy_basic
    ok 1 lib
    """)

# GRUB's menu noise, with escapes and CRLF line ends, before the kernel.
JUNK_BEFORE = ("\x1b[2J\x1b[H\x1b[?25lGNU GRUB  version 2.06\r\n"
               "ok 1 this is not ktap yet\r\n"
               "1..7\r\n"
               "\x1b[0m  Booting `Minnow x86_64 (multiboot2)'\r\n\r\n"
               + ALL_PASS.replace("\n", "\r\n"))

# Killed by the timeout in the middle of a line.
TRUNCATED = BANNER + ktap("""
    KTAP version 1
    1..2
        KTAP version 1
        # Subtest: lib
        1..3
        ok 1 memcpy_basic
        ok 2 printf_w""").rstrip("\n")

# What the kernel prints booted with ktest.after=lib.printf_width after
# TRUNCATED hung in that test.
RESUMED = BANNER + ktap("""
    KTAP version 1
    1..2
    # ktest: starting after lib.printf_width
        KTAP version 1
        # Subtest: lib
        1..1
        ok 1 strtoull_bases
    # lib: pass:1 fail:0 skip:0 total:1
    ok 1 lib
        KTAP version 1
        # Subtest: boot
        1..1
        ok 1 memmap_sorted
    # boot: pass:1 fail:0 skip:0 total:1
    ok 2 boot
    # ktest: 2 passed, 0 failed, 0 skipped
    """)

# Crash containment: boot 1 dies in trap.page_fault, boot 2 (after it) in
# trap.panics, boot 3 (after that) runs the rest.
CRASH_BOOT1 = BANNER + ktap("""
    KTAP version 1
    1..3
        KTAP version 1
        # Subtest: lib
        1..1
        ok 1 memcpy_basic
    # lib: pass:1 fail:0 skip:0 total:1
    ok 1 lib
        KTAP version 1
        # Subtest: trap
        1..4
        ok 1 breakpoint
        # crashed: page fault at 0xdeadbeef
        not ok 2 page_fault
        ok 3 divide # SKIP not run: the kernel crashed in trap.page_fault
        ok 4 panics # SKIP not run: the kernel crashed in trap.page_fault
    # trap: pass:1 fail:1 skip:2 total:4
    not ok 2 trap
    ok 3 sched # SKIP not run: the kernel crashed in trap.page_fault
    # ktest: 2 passed, 1 failed, 2 skipped; 2 in later suites not run
    Bail out! trap.page_fault crashed: page fault at 0xdeadbeef

    fatal trap: page fault at 0xdeadbeef
    backtrace:
      #0  0xffffffff80117e70 trap_test_page_fault+0x14
    minnow: stopped by a fatal trap
    """)

CRASH_BOOT2 = BANNER + ktap("""
    KTAP version 1
    1..2
    # ktest: starting after trap.page_fault
        KTAP version 1
        # Subtest: trap
        1..2
        ok 1 divide
        # crashed: boom
        not ok 2 panics
    # trap: pass:1 fail:1 skip:0 total:2
    not ok 1 trap
    ok 2 sched # SKIP not run: the kernel crashed in trap.panics
    # ktest: 1 passed, 1 failed, 0 skipped; 2 in later suites not run
    Bail out! trap.panics crashed: boom

    panic: boom
    minnow: stopped by a panic
    """)

CRASH_BOOT3 = BANNER + ktap("""
    KTAP version 1
    1..1
    # ktest: starting after trap.panics
        KTAP version 1
        # Subtest: sched
        1..2
        ok 1 yield
        ok 2 sleep # SKIP needs 2 CPUs
    # sched: pass:1 fail:0 skip:1 total:2
    ok 1 sched
    # ktest: 1 passed, 0 failed, 1 skipped
    """)


def run_info(rc=33, timed_out=False, output="", last_started=None,
             timeout=60.0):
    return RunInfo(rc=rc, timed_out=timed_out, elapsed=0.84,
                   output=output, last_started=last_started,
                   log_path="build/test/cfg.log",
                   e9_path="build/test/cfg.e9", timeout=timeout)




def crash_boots(*logs_and_afters):
    """(report, crash) for each (log, after, last_started, stopped)."""
    parts = []
    for log, last, stopped in logs_and_afters:
        report = parse_ktap(log)
        parts.append((report, crash_point(report, last, stopped)))
    return parts


def names(report):
    return [(s.name, [(t.number, t.name, t.ok, t.skip) for t in s.tests])
            for s in report.suites]
