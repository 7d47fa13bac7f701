"""Host tests of tests/run.py, the QEMU test-matrix runner.

Run from the repository root:  python3 -m unittest tests/host/test_run.py

The KTAP parser and the verdicts are tested on sample serial logs; the
process handling is tested with a fake qemu-system-* script that replays
the log, debug-console text and exit code written in the "image" it boots.
"""

import contextlib
import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path
from unittest import mock

RUN_PY = Path(__file__).resolve().parent.parent / "run.py"


def load_runner():
    """Import tests/run.py by path, whatever the current directory is."""
    spec = importlib.util.spec_from_file_location("minnow_run", RUN_PY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


run = load_runner()
ktap_module = sys.modules["ktap"]      # tests/ktap.py, imported by run.py
matrix_module = sys.modules["matrix"]  # tests/matrix.py
verdict_module = sys.modules["verdict"]  # tests/verdict.py
boot_module = sys.modules["boot"]      # tests/boot.py


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
    return verdict_module.RunInfo(rc=rc, timed_out=timed_out, elapsed=0.84,
                       output=output, last_started=last_started,
                       log_path="build/test/cfg.log",
                       e9_path="build/test/cfg.e9", timeout=timeout)


class ParseKtapTest(unittest.TestCase):
    """parse_ktap(): structure, counts and problems of sample logs."""

    def test_all_pass(self):
        r = ktap_module.parse_ktap(ALL_PASS)
        self.assertTrue(r.started)
        self.assertEqual(r.plan, 2)
        self.assertEqual([s.name for s in r.suites], ["lib", "boot"])
        self.assertEqual([s.plan for s in r.suites], [3, 2])
        self.assertEqual((r.passed, r.failed, r.skipped), (4, 0, 1))
        self.assertEqual(r.problems, [])
        self.assertIsNone(r.bail_out)
        self.assertTrue(r.clean)

    def test_skip_reason(self):
        test = ktap_module.parse_ktap(ALL_PASS).suites[0].tests[2]
        self.assertEqual(test.name, "strtoull_bases")
        self.assertEqual(test.skip, "needs 2 CPUs")
        self.assertTrue(test.skipped)

    def test_failure_keeps_its_diagnostics(self):
        r = ktap_module.parse_ktap(ONE_FAILURE)
        self.assertEqual((r.passed, r.failed, r.skipped), (3, 1, 1))
        [(suite, test)] = r.failures()
        self.assertEqual((suite.name, test.number, test.name),
                         ("lib", 2, "printf_width"))
        self.assertEqual(test.diagnostics[0],
                         "# lib_test.c:42: expected x == y")
        self.assertEqual(len(test.diagnostics), 3)
        self.assertEqual(r.problems, [])
        self.assertFalse(r.clean)

    def test_bail_out_mid_suite(self):
        r = ktap_module.parse_ktap(BAIL_OUT)
        self.assertEqual(r.bail_out,
                         "trap.page_fault crashed: page fault at 0xdeadbeef")
        self.assertEqual(r.crash_lines[0],
                         "trap 14 (page fault) error 0x2 cr2 0xdeadbeef")
        self.assertIn("  kmain+0x88", r.crash_lines)
        self.assertEqual((r.passed, r.failed), (2, 1))
        self.assertEqual(r.problems, [])
        self.assertEqual(r.shortfalls, [
            "suite trap: plan 1..3 but 2 results",
            "top level: plan 1..2 but 1 suite results"])

    def test_crash_report_is_capped(self):
        text = BAIL_OUT + "".join(f"frame {i}\n" for i in range(100))
        r = ktap_module.parse_ktap(text)
        self.assertEqual(len(r.crash_lines), ktap_module.CRASH_LINES)

    def test_partial_last_line_of_crash_report_is_kept(self):
        r = ktap_module.parse_ktap(BAIL_OUT + "  panic_halt+0x")
        self.assertEqual(r.crash_lines[-1], "  panic_halt+0x")

    def test_indented_bail_out(self):
        r = ktap_module.parse_ktap(BAIL_OUT.replace("Bail out!", "    Bail out!"))
        self.assertTrue(r.bail_out.startswith("trap.page_fault crashed"))

    def test_missing_top_level_plan(self):
        r = ktap_module.parse_ktap(MISSING_TOP_PLAN)
        self.assertEqual(r.shortfalls, ["missing top-level plan"])
        self.assertFalse(r.clean)

    def test_missing_nested_plan(self):
        r = ktap_module.parse_ktap(MISSING_NESTED_PLAN)
        self.assertEqual(r.shortfalls, ["suite lib: missing plan"])
        self.assertFalse(r.clean)

    def test_nested_count_mismatch(self):
        r = ktap_module.parse_ktap(NESTED_COUNT_MISMATCH)
        self.assertEqual(r.shortfalls, ["suite lib: plan 1..3 but 2 results"])
        self.assertFalse(r.clean)

    def test_top_count_mismatch(self):
        r = ktap_module.parse_ktap(TOP_COUNT_MISMATCH)
        self.assertEqual(r.shortfalls,
                         ["top level: plan 1..2 but 1 suite results"])
        self.assertFalse(r.clean)

    def test_junk_before_ktap_is_ignored(self):
        r = ktap_module.parse_ktap(JUNK_BEFORE)
        self.assertEqual(r.plan, 2)
        self.assertEqual((r.passed, r.failed, r.skipped), (4, 0, 1))
        self.assertEqual(r.problems, [])

    def test_version_line_after_junk_on_same_line(self):
        r = ktap_module.parse_ktap("\x1b[2J" + ALL_PASS.split("\n", 4)[4]
                           .replace("KTAP version 1", "grub> KTAP version 1",
                                    1))
        self.assertTrue(r.started)
        self.assertTrue(r.clean)

    def test_no_ktap_at_all(self):
        r = ktap_module.parse_ktap(BANNER + "panic: out of memory\n")
        self.assertFalse(r.started)
        self.assertEqual(r.problems, [])
        self.assertFalse(r.clean)

    def test_truncated_by_timeout(self):
        r = ktap_module.parse_ktap(TRUNCATED)
        self.assertEqual((r.passed, r.failed), (1, 0))
        self.assertEqual(r.suites[0].tests[-1].name, "memcpy_basic")
        self.assertEqual(r.stray_lines, ["    ok 2 printf_w"])
        self.assertEqual(r.shortfalls, [
            "suite lib: plan 1..3 but 1 results",
            "top level: plan 1..2 but 0 suite results"])

    def test_suite_result_must_agree_with_tests(self):
        r = ktap_module.parse_ktap(ONE_FAILURE.replace("not ok 1 lib", "ok 1 lib"))
        self.assertIn("suite lib: reported ok with 1 failed tests", r.problems)
        r = ktap_module.parse_ktap(ALL_PASS.replace("ok 2 boot", "not ok 2 boot"))
        self.assertIn("suite boot: reported not ok but no test failed",
                      r.problems)

    def test_two_blocks_without_a_result_between(self):
        text = TOP_COUNT_MISMATCH.replace("ok 1 lib\n", "")
        text += ("    KTAP version 1\n    # Subtest: boot\n    1..0\n"
                 "ok 1 boot\n")
        r = ktap_module.parse_ktap(text)
        self.assertIn("suite lib: no top-level result line", r.shortfalls)

    def test_nested_lines_without_version_line(self):
        r = ktap_module.parse_ktap(ALL_PASS.replace("    KTAP version 1\n", "", 1))
        self.assertEqual(r.problems,
                         ["nested block without its 'KTAP version 1' line"])
        self.assertEqual(r.suites[0].name, "lib")

    def test_duplicate_plans(self):
        r = ktap_module.parse_ktap(ALL_PASS.replace("1..2\n", "1..2\n1..2\n", 1)
                           .replace("    1..3\n", "    1..3\n    1..3\n"))
        self.assertEqual(r.problems, ["duplicate top-level plan",
                                      "suite lib: duplicate plan"])

    def test_numbering_is_checked(self):
        r = ktap_module.parse_ktap(ALL_PASS.replace("ok 2 printf_width",
                                            "ok 5 printf_width"))
        self.assertIn("suite lib: test printf_width numbered 5, expected 2",
                      r.problems)

    def test_non_ktap_lines_inside_are_kept_aside(self):
        text = ALL_PASS.replace("    ok 1 memmap_sorted\n",
                                "    ok 1 memmap_sorted\nhello world\n")
        r = ktap_module.parse_ktap(text)
        self.assertEqual(r.stray_lines, ["hello world"])
        self.assertTrue(r.clean)

    def test_dash_separator_and_empty_skip_reason(self):
        result = ktap_module.parse_result("ok 7 - name # skip")
        self.assertEqual(result, (True, 7, "name", ""))
        self.assertIsNone(ktap_module.parse_result("okay 7 name"))


class JudgeTest(unittest.TestCase):
    """judge(): a serial log and QEMU's exit give PASS/FAIL and reasons."""

    def test_all_pass_exit_33(self):
        v = verdict_module.judge("cfg", ALL_PASS, run_info(33))
        self.assertEqual(v.status, "PASS")
        self.assertEqual((v.passed, v.failed, v.skipped), (4, 0, 1))
        self.assertEqual((v.headline, v.details), ("", []))

    def test_failure_exit_35(self):
        v = verdict_module.judge("cfg", ONE_FAILURE, run_info(35))
        self.assertEqual(v.status, "FAIL")
        self.assertEqual(v.headline, "lib: not ok 2 printf_width")
        self.assertEqual(v.details[0], "lib: not ok 2 printf_width")
        self.assertEqual(v.details[1], "    # lib_test.c:42: expected x == y")
        self.assertEqual(v.details[-1], "log: build/test/cfg.log")

    def test_long_diagnostics_are_cut(self):
        many = "".join(f"    # line {i}\n" for i in range(25))
        text = ONE_FAILURE.replace("    not ok 2", many + "    not ok 2")
        v = verdict_module.judge("cfg", text, run_info(35))
        self.assertIn("    ... 18 more lines", v.details)

    def test_exit_35_with_all_ok(self):
        text = ALL_PASS + '# ktest: no test matches "lbi"\n'
        v = verdict_module.judge("cfg", text, run_info(35))
        self.assertEqual(v.status, "FAIL")
        self.assertEqual(v.headline, "kernel reported failure")
        self.assertIn('  # ktest: no test matches "lbi"', v.details)
        self.assertFalse(any("pass:" in d or "4 passed" in d
                             for d in v.details))
        self.assertEqual(v.failed, 1)

    def test_exit_33_with_failure(self):
        v = verdict_module.judge("cfg", ONE_FAILURE, run_info(33))
        self.assertEqual(v.status, "FAIL")
        self.assertIn("kernel exited 33 (pass) but the log shows failures",
                      v.details)

    def test_exit_33_with_broken_structure(self):
        v = verdict_module.judge("cfg", NESTED_COUNT_MISMATCH, run_info(33))
        self.assertEqual(v.status, "FAIL")
        self.assertEqual(v.headline, "suite lib: plan 1..3 but 2 results")

    def test_missing_plans_fail(self):
        for text in (MISSING_TOP_PLAN, MISSING_NESTED_PLAN,
                     TOP_COUNT_MISMATCH):
            with self.subTest(text=text):
                v = verdict_module.judge("cfg", text, run_info(33))
                self.assertEqual(v.status, "FAIL")
                self.assertEqual(v.failed, 1)

    def test_bail_out(self):
        v = verdict_module.judge("cfg", BAIL_OUT, run_info(35))
        self.assertEqual(v.status, "FAIL")
        self.assertEqual(v.headline, "Bail out! trap.page_fault crashed: "
                         "page fault at 0xdeadbeef")
        # The crash report is shown once, as the crashed test's diagnostics.
        self.assertEqual(v.details[:3], [
            "trap: not ok 2 page_fault",
            "    # crashed: page fault at 0xdeadbeef",
            "    # trap 14 (page fault) error 0x2 cr2 0xdeadbeef"])
        self.assertIn("    # backtrace:", v.details)
        self.assertFalse(any(d.startswith("Bail out!") for d in v.details))
        self.assertFalse(any("plan" in d for d in v.details))
        self.assertEqual(v.failed, 1)

    def test_timeout(self):
        v = verdict_module.judge("cfg", TRUNCATED,
                      run_info(None, True, last_started="lib.printf_width",
                               timeout=60))
        self.assertEqual(v.status, "FAIL")
        self.assertEqual(v.headline, "timeout after 60s in lib.printf_width")
        self.assertEqual(v.details[0], "timeout after 60s; last test started:"
                         " lib.printf_width (from build/test/cfg.e9)")
        self.assertEqual((v.passed, v.failed), (1, 1))
        self.assertEqual(v.details[1:], [
            "lib: not ok 2 printf_width",
            "    # crashed: timeout after 60s in lib.printf_width",
            "log: build/test/cfg.log"])

    def test_timeout_after_test_finished(self):
        v = verdict_module.judge("cfg", TRUNCATED,
                      run_info(None, True, last_started="lib.memcpy_basic"))
        self.assertEqual(v.headline,
                         "timeout after 60s after lib.memcpy_basic")
        self.assertTrue(v.details[0].endswith("it had printed its result"))

    def test_timeout_before_any_test(self):
        v = verdict_module.judge("cfg", BANNER, run_info(None, True, timeout=1.5))
        self.assertEqual(v.headline, "timeout after 1.5s")
        self.assertIn("last test started: none", v.details[0])
        self.assertIn("no KTAP output; the log ends with:", v.details)

    def test_triple_fault(self):
        v = verdict_module.judge("cfg", TRUNCATED,
                      run_info(0, last_started="lib.printf_width"))
        self.assertEqual(v.status, "FAIL")
        self.assertEqual(v.headline, "triple fault / reset")
        self.assertIn("lib.printf_width", v.details[0])

    def test_qemu_error(self):
        err = ("qemu-system-x86_64: warning: something\n"
               "qemu-system-x86_64: -m 16G: cannot set up guest memory\n")
        v = verdict_module.judge("cfg", "", run_info(1, output=err))
        self.assertEqual(v.headline, "QEMU error: qemu-system-x86_64: -m 16G:"
                         " cannot set up guest memory")
        self.assertIn("  qemu-system-x86_64: warning: something", v.details)
        self.assertEqual(v.failed, 1)

    def test_unexpected_exit_code(self):
        v = verdict_module.judge("cfg", ALL_PASS, run_info(3))
        self.assertEqual(v.headline, "unexpected QEMU exit code 3")
        v = verdict_module.judge("cfg", ALL_PASS, run_info(-9))
        self.assertEqual(v.headline, "QEMU killed by signal 9")

    def test_no_ktap_output(self):
        v = verdict_module.judge("cfg", BANNER + "panic: no memory\n", run_info(35))
        self.assertEqual(v.headline, "no KTAP output")
        self.assertIn("  panic: no memory", v.details)

    def test_empty_log(self):
        v = verdict_module.judge("cfg", "", run_info(33))
        self.assertEqual(v.status, "FAIL")
        self.assertIn("no KTAP output; the log is empty", v.details)


class FormatTest(unittest.TestCase):
    """The configuration lines and the two summary lines."""

    def test_pass_line(self):
        v = verdict_module.Verdict("x86_64-1cpu-128M", "PASS", 41, 0, 2, 0.84)
        [line] = run.format_verdict(v, 16)
        self.assertEqual(line, "PASS  x86_64-1cpu-128M   41 passed, 0 failed,"
                         " 2 skipped   0.84s")

    def test_fail_line_is_aligned_and_details_indented(self):
        ok = verdict_module.Verdict("x86_64-1cpu-128M", "PASS", 41, 0, 2, 0.84)
        bad = verdict_module.judge("i386-1cpu-16M", ONE_FAILURE, run_info(35))
        [ok_line] = run.format_verdict(ok, 16)
        bad_lines = run.format_verdict(bad, 16)
        self.assertEqual(ok_line.index("0.84s"), bad_lines[0].index("0.84s"))
        self.assertTrue(bad_lines[0].startswith("FAIL  i386-1cpu-16M      "))
        self.assertTrue(bad_lines[0].endswith(
            "  (lib: not ok 2 printf_width)"))
        self.assertTrue(all(l.startswith("      ") for l in bad_lines[1:]))

    def test_summary_without_skips(self):
        verdicts = [verdict_module.Verdict("a", "PASS", 4, 0, 0),
                    verdict_module.Verdict("b", "FAIL", 3, 1, 0)]
        self.assertEqual(run.format_summary(verdicts, 12.34), [
            "matrix: 2 configurations, 1 passed, 1 failed, 12.3s wall",
            "7 passed, 1 failed"])

    def test_summary_with_skips_and_skipped_configs(self):
        verdicts = [verdict_module.Verdict("a", "PASS", 4, 0, 1),
                    verdict_module.Verdict("iso", "SKIP", headline="not run")]
        self.assertEqual(run.format_summary(verdicts, 1.0), [
            "matrix: 2 configurations, 1 passed, 0 failed, 1 skipped, "
            "1.0s wall",
            "4 passed, 0 failed, 1 skipped"])


class MatrixTest(unittest.TestCase):

    def test_names_are_unique_keys(self):
        matrix = matrix_module.build_matrix()
        self.assertEqual(len(matrix), len(matrix_module.MATRIX_ROWS))
        self.assertIn("i386-1cpu-16M", matrix)
        self.assertEqual(matrix["i386-1cpu-16M"].mem, "16M")

    def test_duplicate_rows_are_refused(self):
        row = matrix_module.MATRIX_ROWS[0]
        with self.assertRaises(ValueError):
            matrix_module.build_matrix([row, row])

    def test_kernel_command_line(self):
        cfg = matrix_module.build_matrix()["x86_64-1cpu-128M"]
        cmd = matrix_module.qemu_command(cfg, Path("b"), Path("b/test"), "tcg", "lib")
        self.assertEqual(cmd[0], "qemu-system-x86_64")
        self.assertIn("isa-debug-exit,iobase=0xf4,iosize=0x04", cmd)
        self.assertEqual(cmd[cmd.index("-kernel") + 1], "b/x86_64/minnow.elf")
        self.assertEqual(cmd[cmd.index("-append") + 1], "ktest=lib ncpus=1")
        self.assertEqual(cmd[cmd.index("-debugcon") + 1],
                         "file:b/test/x86_64-1cpu-128M.e9")
        self.assertEqual(cmd[cmd.index("-accel") + 1], "tcg")

    def test_row_kernel_options_follow_ncpus(self):
        cfg = matrix_module.build_matrix()["x86_64-4cpu-slot-map"]
        cmd = matrix_module.qemu_command(cfg, Path("b"), Path("b/test"), "tcg", None)
        self.assertEqual(cmd[cmd.index("-append") + 1],
                         "ktest ncpus=4 quickmap=slot sfbuf=map nsfbufs=64")

    def test_iso_row_may_not_have_kernel_options(self):
        row = ("x", "i386", "iso", 1, "128M", "max", [], "sfbuf=map")
        with self.assertRaises(ValueError):
            matrix_module.build_matrix([row])

    def test_iso_command_line(self):
        cfg = matrix_module.build_matrix()["i386-iso-128M"]
        cmd = matrix_module.qemu_command(cfg, Path("b"), Path("b/test"), "kvm", None)
        self.assertEqual(cmd[cmd.index("-cdrom") + 1],
                         "b/i386/minnow-test.iso")
        self.assertNotIn("-append", cmd)
        self.assertEqual(cmd[cmd.index("-cpu") + 1], "max")

    def test_row_options(self):
        rows = [("a", "x86_64", "kernel", 2, "128M", "max", [],
                 {"cmdline": "quickmap=slot sfbuf=map", "timeout": 90}),
                ("b", "i386", "kernel", 1, "16M", "max", [])]
        matrix = matrix_module.build_matrix(rows)
        self.assertEqual((matrix["a"].cmdline, matrix["a"].timeout),
                         ("quickmap=slot sfbuf=map", 90))
        self.assertEqual((matrix["b"].cmdline, matrix["b"].timeout),
                         ("", None))
        self.assertEqual(matrix_module.kernel_cmdline(matrix["a"], "lib", "lib.x"),
                         "ktest=lib ncpus=2 quickmap=slot sfbuf=map "
                         "ktest.after=lib.x")
        self.assertEqual(matrix_module.kernel_cmdline(matrix["b"], None, None),
                         "ktest ncpus=1")
        own = matrix_module.build_matrix([("c", "x86_64", "kernel", 16, "256M", "max",
                                 [], {"ktest": "sched"})])["c"]
        self.assertEqual(matrix_module.kernel_cmdline(own, None, None),
                         "ktest=sched ncpus=16")
        self.assertEqual(matrix_module.kernel_cmdline(own, "lib", "lib.x"),
                         "ktest=lib ncpus=16 ktest.after=lib.x")
        bad = [("c", "x86_64", "kernel", 1, "1M", "max", [], {"cmdlin": ""}),
               ("c", "x86_64", "iso", 1, "1M", "max", [], {"cmdline": "x"}),
               ("c", "x86_64", "kernel", 1, "1M", "max", [], {"timeout": 0}),
               ("c", "x86_64", "iso", 1, "1M", "max", [], {"ktest": "lib"}),
               ("c", "x86_64", "kernel", 1, "1M", "max", [], "x=1")]
        for row in bad:
            with self.subTest(row=row), self.assertRaises(ValueError):
                matrix_module.build_matrix([row])

    def test_boot_command_sets_logs_and_append(self):
        cfg = matrix_module.Config("k", "x86_64", "kernel", 2, "128M",
                         cmdline="sfbuf=map")
        cmd = matrix_module.boot_command(cfg, Path("b"), Path("b/test"), "tcg", None,
                               "lib.x", Path("b/test/k.2.log"),
                               Path("b/test/k.2.e9"))
        self.assertEqual(cmd[cmd.index("-append") + 1],
                         "ktest ncpus=2 sfbuf=map ktest.after=lib.x")
        self.assertEqual(cmd[cmd.index("-serial") + 1],
                         "file:b/test/k.2.log")
        self.assertEqual(cmd[cmd.index("-debugcon") + 1],
                         "file:b/test/k.2.e9")

    def test_last_started_test(self):
        e9 = "start lib.a\nstart lib.b\nnoise\n"
        self.assertEqual(boot_module.last_started_test(e9), "lib.b")
        self.assertIsNone(boot_module.last_started_test(""))


def crash_boots(*logs_and_afters):
    """(report, crash) for each (log, after, last_started, stopped)."""
    parts = []
    for log, last, stopped in logs_and_afters:
        report = ktap_module.parse_ktap(log)
        parts.append((report, ktap_module.crash_point(report, last, stopped)))
    return parts


def names(report):
    return [(s.name, [(t.number, t.name, t.ok, t.skip) for t in s.tests])
            for s in report.suites]


class MergeTest(unittest.TestCase):
    """tests/ktap.py: crash points, merging boots, printing KTAP."""

    def test_crash_point_from_bail_out(self):
        (_, crash), = crash_boots((CRASH_BOOT1, None, None))
        self.assertEqual((crash.test, crash.reason, crash.printed),
                         ("trap.page_fault", "page fault at 0xdeadbeef",
                          True))

    def test_crash_point_from_hang(self):
        (_, crash), = crash_boots((TRUNCATED, "lib.printf_width",
                                   "timeout after 60s"))
        self.assertEqual((crash.test, crash.printed),
                         ("lib.printf_width", False))
        # A test that had printed its result did not hang.
        (_, crash), = crash_boots((TRUNCATED, "lib.memcpy_basic",
                                   "timeout after 60s"))
        self.assertIsNone(crash)
        (_, crash), = crash_boots((TRUNCATED, "lib.printf_width", None))
        self.assertIsNone(crash)

    def test_no_crash_point_outside_tests(self):
        log = ALL_PASS + "Bail out! crashed between tests: boom\n"
        (_, crash), = crash_boots((log, None, None))
        self.assertIsNone(crash)
        (_, crash), = crash_boots((ALL_PASS, None, None))
        self.assertIsNone(crash)

    def test_runs_after(self):
        (report, crash), = crash_boots((CRASH_BOOT1, None, None))
        self.assertTrue(ktap_module.runs_after(report, crash))
        last = CRASH_BOOT3.replace("ok 2 sleep # SKIP needs 2 CPUs",
                                   "# crashed: boom\n    not ok 2 sleep")
        last += "Bail out! sched.sleep crashed: boom\n"
        (report, crash), = crash_boots((last, None, None))
        self.assertEqual(crash.test, "sched.sleep")
        self.assertFalse(ktap_module.runs_after(report, crash))

    def test_two_crashes_merge_into_one_run(self):
        merged = ktap_module.merge_reports(crash_boots(
            (CRASH_BOOT1, None, None), (CRASH_BOOT2, None, None),
            (CRASH_BOOT3, None, None)))
        self.assertEqual(names(merged), [
            ("lib", [(1, "memcpy_basic", True, None)]),
            ("trap", [(1, "breakpoint", True, None),
                      (2, "page_fault", False, None),
                      (3, "divide", True, None),
                      (4, "panics", False, None)]),
            ("sched", [(1, "yield", True, None),
                       (2, "sleep", True, "needs 2 CPUs")])])
        # Each crashed test counts once; the "not run" results are gone.
        self.assertEqual((merged.passed, merged.failed, merged.skipped),
                         (4, 2, 1))
        fault = merged.find_test("trap", "page_fault")
        self.assertEqual(fault.diagnostics[:3], [
            "# crashed: page fault at 0xdeadbeef",
            "# fatal trap: page fault at 0xdeadbeef", "# backtrace:"])
        self.assertIsNone(merged.bail_out)
        self.assertEqual([s.ok for s in merged.suites], [True, False, True])

    def test_merged_ktap_is_well_formed(self):
        merged = ktap_module.merge_reports(crash_boots(
            (CRASH_BOOT1, None, None), (CRASH_BOOT2, None, None),
            (CRASH_BOOT3, None, None)))
        text = ktap_module.format_ktap(merged)
        again = ktap_module.parse_ktap(text)
        self.assertEqual((again.problems, again.shortfalls), ([], []))
        self.assertEqual((again.plan, len(again.suites)), (3, 3))
        self.assertEqual(names(again), names(merged))
        lines = text.splitlines()
        i = lines.index("    not ok 2 page_fault")
        self.assertEqual(lines[i - 5], "    # crashed: page fault at "
                         "0xdeadbeef")
        self.assertIn("# trap: pass:2 fail:2 skip:0 total:4", lines)
        self.assertEqual(lines[-1], "ok 3 sched")

    def test_hang_then_resume(self):
        merged = ktap_module.merge_reports(crash_boots(
            (TRUNCATED, "lib.printf_width", "timeout after 60s"),
            (RESUMED, None, None)))
        self.assertEqual(names(merged)[0], ("lib", [
            (1, "memcpy_basic", True, None), (2, "printf_width", False, None),
            (3, "strtoull_bases", True, None)]))
        self.assertEqual(merged.find_test("lib", "printf_width").diagnostics,
                         ["# crashed: timeout after 60s"])
        again = ktap_module.parse_ktap(ktap_module.format_ktap(merged))
        self.assertEqual((again.problems, again.shortfalls), ([], []))

    def test_last_boot_crash_keeps_its_not_run_results(self):
        merged = ktap_module.merge_reports(crash_boots(
            (CRASH_BOOT1, None, None)))
        self.assertEqual(merged.bail_out, "trap.page_fault crashed: page "
                         "fault at 0xdeadbeef")
        text = ktap_module.format_ktap(merged)
        self.assertIn("ok 3 sched # SKIP not run: the kernel crashed in "
                      "trap.page_fault", text)
        again = ktap_module.parse_ktap(text)
        self.assertEqual((again.problems, again.shortfalls), ([], []))
        # A hang nobody resumed: its test fails, the plan shows the rest.
        merged = ktap_module.merge_reports(crash_boots(
            (TRUNCATED, "lib.printf_width", "timeout after 60s")))
        again = ktap_module.parse_ktap(ktap_module.format_ktap(merged))
        self.assertEqual(again.problems, [])
        self.assertIn("top level: plan 1..2 but 1 suite results",
                      again.shortfalls)

    def test_all_skipped_suite_is_skipped(self):
        log = ktap("""
            KTAP version 1
            1..1
                KTAP version 1
                # Subtest: smp
                1..2
                ok 1 a # SKIP needs 2 CPUs
                ok 2 b # SKIP needs 2 CPUs
            ok 1 smp # SKIP needs 2 CPUs
            """)
        report = ktap_module.parse_ktap(log)
        self.assertTrue(report.clean)
        self.assertEqual(report.suites[0].skip, "needs 2 CPUs")
        text = ktap_module.format_ktap(ktap_module.merge_reports(
            [(report, None)]))
        self.assertTrue(text.endswith("ok 1 smp # SKIP needs 2 CPUs\n"))

    def test_refused_filter_is_not_clean(self):
        log = ktap("""
            KTAP version 1
            # ktest: no test matches "nosuch"
            1..0
            Bail out! ktest: nothing run: 1 problem(s) with the command line
            """)
        v = verdict_module.judge("cfg", log, run_info(35))
        self.assertEqual(v.status, "FAIL")
        self.assertEqual(v.headline, "Bail out! ktest: nothing run: 1 "
                         "problem(s) with the command line")
        self.assertEqual(v.details[:2], [
            '# ktest: no test matches "nosuch"',
            "Bail out! ktest: nothing run: 1 problem(s) with the command "
            "line"])


KUNIT_PY = os.environ.get("KUNIT_PY", "")


class ExternalToolsTest(unittest.TestCase):
    """The merged KTAP as prove and Linux's kunit.py parse read it.

    prove (Perl's TAP harness) runs when installed; kunit.py only when
    KUNIT_PY names it (Debian: tools/testing/kunit/kunit.py inside
    /usr/src/linux-source-6.1.tar.xz), so `make test` needs neither.
    """

    def write(self, text):
        tmp = tempfile.NamedTemporaryFile("w", suffix=".ktap", delete=False)
        self.addCleanup(os.unlink, tmp.name)
        tmp.write(text)
        tmp.close()
        return tmp.name

    def merged_text(self):
        return ktap_module.format_ktap(ktap_module.merge_reports(crash_boots(
            (CRASH_BOOT1, None, None), (CRASH_BOOT2, None, None),
            (CRASH_BOOT3, None, None))))

    @unittest.skipUnless(shutil.which("prove"), "prove is not installed")
    def test_prove(self):
        path = self.write(self.merged_text())
        p = subprocess.run(["prove", "-e", "cat", path], capture_output=True,
                           text=True)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Failed test:  2", p.stdout)
        p = subprocess.run(["prove", "-e", "cat", self.write(
            "KTAP version 1\n1..0\nBail out! ktest: nothing run\n")],
            capture_output=True, text=True)
        self.assertNotEqual(p.returncode, 0)

    @unittest.skipUnless(os.path.isfile(KUNIT_PY), "set KUNIT_PY to kunit.py")
    def test_kunit_parse_names_the_crashed_tests(self):
        path = self.write(self.merged_text())
        p = subprocess.run([sys.executable, KUNIT_PY, "parse", path],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stdout, r"crashed: page fault at 0xdeadbeef\n"
                         r"(.*\n){4}.*\[FAILED\] page_fault")
        self.assertIn("[FAILED] panics", p.stdout)
        self.assertIn("Ran 7 tests: passed: 4, failed: 2, skipped: 1",
                      p.stdout)
        self.assertNotIn("ERROR", p.stdout)

    @unittest.skipUnless(os.path.isfile(KUNIT_PY), "set KUNIT_PY to kunit.py")
    def test_kunit_parse_refused_filter_and_skipped_suite(self):
        refused = self.write('KTAP version 1\n# ktest: no test matches '
                             '"nosuch"\n1..0\nBail out! ktest: nothing '
                             'run\n')
        p = subprocess.run([sys.executable, KUNIT_PY, "parse", refused],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn('# ktest: no test matches "nosuch"', p.stdout)
        self.assertIn("0 tests run!", p.stdout)
        skipped = self.write("KTAP version 1\n1..1\n    KTAP version 1\n"
                             "    # Subtest: smp\n    1..1\n    ok 1 a # "
                             "SKIP needs 2 CPUs\nok 1 smp # SKIP needs 2 "
                             "CPUs\n")
        p = subprocess.run([sys.executable, KUNIT_PY, "parse", skipped],
                           capture_output=True, text=True)
        # (kunit.py exits 1 on a run with nothing but skips: not checked)
        self.assertIn("[SKIPPED] smp", p.stdout)
        self.assertIn("Ran 1 tests: skipped: 1", p.stdout)
        self.assertNotIn("ERROR", p.stdout)


FAKE_QEMU = """\
#!{python}
# Fake qemu-system-*: replays the JSON "image" it is asked to boot.
import json, sys, time
args = sys.argv[1:]
def value(opt):
    return args[args.index(opt) + 1] if opt in args else None
image = value("-kernel") or value("-cdrom")
spec = json.load(open(image))
after = [w[len("ktest.after="):] for w in (value("-append") or "").split()
         if w.startswith("ktest.after=")]
suffix = ""
if after:
    spec = spec["after"][after[0]]
    suffix = "." + after[0]
open(image + suffix + ".argv", "w").write(json.dumps(args))
open(value("-serial")[5:], "w").write(spec.get("serial", ""))
open(value("-debugcon")[5:], "w").write(spec.get("e9", ""))
sys.stderr.write(spec.get("stderr", ""))
time.sleep(spec.get("sleep", 0))
sys.exit(spec.get("exit", 33))
"""


class ProcessTest(unittest.TestCase):
    """main() end to end, with a fake QEMU and fake images."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)
        self.build = self.dir / "build"
        fake = self.dir / "fake-qemu"
        fake.write_text(FAKE_QEMU.format(python=sys.executable))
        fake.chmod(0o755)
        binaries = {"i386": str(fake), "x86_64": str(fake)}
        rows = [
            ("k32", "i386", "kernel", 1, "128M", "max", []),
            ("k64", "x86_64", "kernel", 2, "128M", "max", ["-s"]),
            ("iso64", "x86_64", "iso", 1, "128M", "max", []),
        ]
        for patch in (mock.patch.object(matrix_module, "QEMU_BINARIES", binaries),
                      mock.patch.object(matrix_module, "MATRIX_ROWS", rows),
                      mock.patch.dict(os.environ, {"ACCEL": ""})):
            patch.start()
            self.addCleanup(patch.stop)
        self.addCleanup(self.tmp.cleanup)

    def image(self, arch, name, **spec):
        path = self.build / arch / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(spec))
        return path

    def main(self, *argv):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                rc = run.main(["--build-dir", str(self.build), *argv])
            except SystemExit as e:
                rc = e.code
        return rc, out.getvalue().splitlines(), err.getvalue()

    def test_all_pass(self):
        self.image("i386", "minnow.elf", serial=ALL_PASS, exit=33)
        self.image("x86_64", "minnow.elf", serial=ALL_PASS, exit=33)
        iso = self.image("x86_64", "minnow-test.iso", serial=JUNK_BEFORE)
        rc, out, err = self.main("--jobs", "3")
        self.assertEqual(rc, 0, out)
        self.assertEqual(sorted(l[:10] for l in out[:3]),
                         ["PASS  iso6", "PASS  k32 ", "PASS  k64 "])
        self.assertRegex(out[3], r"^matrix: 3 configurations, 3 passed, "
                         r"0 failed, \d+\.\ds wall$")
        self.assertEqual(out[4], "12 passed, 0 failed, 3 skipped")
        self.assertEqual(len(out), 5)
        self.assertTrue((self.build / "test" / "k64.log").is_file())
        argv = json.loads(Path(str(iso) + ".argv").read_text())
        self.assertNotIn("-append", argv)

    def test_failures_timeout_and_ktest_filter(self):
        k32 = self.image("i386", "minnow.elf", serial=TRUNCATED, sleep=10,
                         e9="start lib.memcpy_basic\n"
                         "start lib.printf_width\n",
                         after={"lib.printf_width": {"serial": RESUMED,
                                                     "exit": 33}})
        k64 = self.image("x86_64", "minnow.elf", serial=ONE_FAILURE, exit=35)
        self.image("x86_64", "minnow-test.iso", serial=ALL_PASS)
        rc, out, err = self.main("--ktest", "lib", "--timeout", "1")
        self.assertEqual(rc, 1)
        self.assertTrue(out[0].startswith("SKIP  iso64   not run: --ktest"))
        text = "\n".join(out)
        self.assertIn("(timeout after 1s in lib.printf_width (+1 more boots))",
                      text)
        self.assertIn("timeout after 1s; last test started: lib.printf_width"
                      " (from ", text)
        self.assertIn("(lib: not ok 2 printf_width)", text)
        self.assertRegex(out[-2], r"^matrix: 3 configurations, 0 passed, "
                         r"2 failed, 1 skipped, ")
        # k32: the hung test counts once, failed; the rest ran after it.
        self.assertIn("FAIL  k32     3 passed, 1 failed, 0 skipped", text)
        self.assertEqual(out[-1], "6 passed, 2 failed, 1 skipped")
        argv = json.loads(Path(str(k32) + ".lib.printf_width.argv")
                          .read_text())
        self.assertEqual(argv[argv.index("-append") + 1],
                         "ktest=lib ncpus=1 ktest.after=lib.printf_width")
        argv = json.loads(Path(str(k64) + ".argv").read_text())
        self.assertEqual(argv[argv.index("-append") + 1], "ktest=lib ncpus=2")
        self.assertEqual(argv[argv.index("-smp") + 1], "2")
        self.assertEqual(argv[-1], "-s")

    def test_crash_containment(self):
        k64 = self.image(
            "x86_64", "minnow.elf", serial=CRASH_BOOT1, exit=35,
            after={"trap.page_fault": {"serial": CRASH_BOOT2, "exit": 35},
                   "trap.panics": {"serial": CRASH_BOOT3, "exit": 33}})
        rc, out, err = self.main("--only", "k64", "-v")
        self.assertEqual(rc, 1)
        text = "\n".join(out)
        self.assertTrue(out[0].startswith(
            "FAIL  k64   4 passed, 2 failed, 1 skipped "), out[0])
        self.assertIn("(Bail out! trap.page_fault crashed: page fault at "
                      "0xdeadbeef (+2 more boots))", out[0])
        self.assertIn("      trap: not ok 2 page_fault", out)
        self.assertIn("      trap: not ok 4 panics", out)
        self.assertIn("      [boot 1] crashed in trap.page_fault: booted "
                      "again with ktest.after=trap.page_fault", out)
        self.assertEqual(out[-1], "4 passed, 2 failed, 1 skipped")
        argv = json.loads(Path(str(k64) + ".trap.panics.argv").read_text())
        self.assertEqual(argv[argv.index("-append") + 1],
                         "ktest ncpus=2 ktest.after=trap.panics")
        logs = self.build / "test"
        self.assertEqual(sorted(p.name for p in logs.glob("k64.*")), [
            "k64.2.e9", "k64.2.log", "k64.3.e9", "k64.3.log", "k64.e9",
            "k64.ktap", "k64.log"])
        merged = ktap_module.parse_ktap((logs / "k64.ktap").read_text())
        self.assertEqual((merged.problems, merged.shortfalls), ([], []))
        self.assertEqual((merged.passed, merged.failed), (4, 2))
        self.assertIn(f"----- k64: {logs / 'k64.ktap'} (merged) -----", text)

    def test_no_second_boot_without_progress(self):
        # A kernel that ignores ktest.after crashes in the same test again.
        self.image("x86_64", "minnow.elf", serial=CRASH_BOOT1, exit=35,
                   after={"trap.page_fault": {"serial": CRASH_BOOT1,
                                              "exit": 35}})
        rc, out, err = self.main("--only", "k64")
        text = "\n".join(out)
        self.assertIn("[boot 2] the kernel ignored ktest.after="
                      "trap.page_fault", text)
        self.assertIn("[boot 2] not booted again: it crashed in "
                      "trap.page_fault again", text)
        # --max-crashes 0: one boot, the crash shown, no second boot.
        rc, out, err = self.main("--only", "k64", "--max-crashes", "0")
        self.assertIn("not booted again past the crash: --max-crashes 0 "
                      "reached", "\n".join(out))
        self.assertFalse((self.build / "test" / "k64.2.log").exists())
        self.assertEqual(out[-1], "2 passed, 1 failed, 2 skipped")

    def test_iso_is_not_booted_again(self):
        self.image("x86_64", "minnow-test.iso", serial=CRASH_BOOT1, exit=35)
        rc, out, err = self.main("--only", "iso64")
        self.assertIn("not booted again past the crash: the ISO's grub.cfg "
                      "fixes the command line", "\n".join(out))

    def test_only_and_verbose(self):
        self.image("x86_64", "minnow.elf", serial=ALL_PASS, exit=33)
        rc, out, err = self.main("--only", "k6*", "-v")
        self.assertEqual(rc, 0)
        self.assertTrue(out[0].startswith("PASS  k64 "))
        self.assertTrue(out[1].startswith("----- k64: "))
        self.assertIn("    ok 1 memcpy_basic", out)
        self.assertEqual(out[-3], "----- end of k64 -----")
        self.assertEqual(out[-1], "4 passed, 0 failed, 1 skipped")

    def test_qemu_error_and_triple_fault(self):
        self.image("i386", "minnow.elf", exit=1,
                   stderr="qemu-system-i386: bad option\n")
        self.image("x86_64", "minnow.elf", serial=TRUNCATED, exit=0)
        rc, out, err = self.main("--only", "k*")
        self.assertEqual(rc, 1)
        text = "\n".join(out)
        self.assertIn("(QEMU error: qemu-system-i386: bad option)", text)
        self.assertIn("(triple fault / reset)", text)
        self.assertEqual(out[-1], "1 passed, 2 failed")

    def test_missing_image_names_make_target(self):
        self.image("i386", "minnow.elf")
        rc, out, err = self.main("--only", "k*")
        self.assertEqual(rc, 2)
        self.assertIn("x86_64/minnow.elf is missing; build it with: make ",
                      err)

    def test_missing_qemu(self):
        self.image("i386", "minnow.elf")
        with mock.patch.object(matrix_module, "QEMU_BINARIES",
                               {"i386": "no-such-qemu-i386"}):
            rc, out, err = self.main("--only", "k32")
        self.assertEqual(rc, 2)
        self.assertEqual(err.count("\n"), 1)
        self.assertIn("no-such-qemu-i386 not found: install the Debian "
                      "package qemu-system-x86", err)

    def test_list(self):
        rc, out, err = self.main("--list")
        self.assertEqual(rc, 0)
        self.assertEqual([l.split()[0] for l in out[1:]],
                         ["k32", "k64", "iso64"])

    def test_timeout_from_environment(self):
        cfg = matrix_module.Config("cfg", "x86_64", "kernel", 1, "128M")
        slow = matrix_module.Config("slow", "x86_64", "kernel", 1, "128M",
                          timeout=120)
        args = run.parse_args([])
        with mock.patch.dict(os.environ, {"TEST_TIMEOUT": "7"}):
            self.assertEqual(run.boot_timeout(cfg, args), 7.0)
            self.assertEqual(run.boot_timeout(slow, args), 120)
        with mock.patch.dict(os.environ, {"TEST_TIMEOUT": ""}):
            self.assertEqual(run.boot_timeout(cfg, args), 60.0)
        args = run.parse_args(["--timeout", "5"])
        self.assertEqual(run.boot_timeout(slow, args), 5.0)


if __name__ == "__main__":
    unittest.main()
