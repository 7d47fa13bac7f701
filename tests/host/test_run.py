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


def run_info(rc=33, timed_out=False, output="", last_started=None,
             timeout=60.0):
    return run.RunInfo(rc=rc, timed_out=timed_out, elapsed=0.84,
                       output=output, last_started=last_started,
                       log_path="build/test/cfg.log",
                       e9_path="build/test/cfg.e9", timeout=timeout)


class ParseKtapTest(unittest.TestCase):
    """parse_ktap(): structure, counts and problems of sample logs."""

    def test_all_pass(self):
        r = run.parse_ktap(ALL_PASS)
        self.assertTrue(r.started)
        self.assertEqual(r.plan, 2)
        self.assertEqual([s.name for s in r.suites], ["lib", "boot"])
        self.assertEqual([s.plan for s in r.suites], [3, 2])
        self.assertEqual((r.passed, r.failed, r.skipped), (4, 0, 1))
        self.assertEqual(r.problems, [])
        self.assertIsNone(r.bail_out)
        self.assertTrue(r.clean)

    def test_skip_reason(self):
        test = run.parse_ktap(ALL_PASS).suites[0].tests[2]
        self.assertEqual(test.name, "strtoull_bases")
        self.assertEqual(test.skip, "needs 2 CPUs")
        self.assertTrue(test.skipped)

    def test_failure_keeps_its_diagnostics(self):
        r = run.parse_ktap(ONE_FAILURE)
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
        r = run.parse_ktap(BAIL_OUT)
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
        r = run.parse_ktap(text)
        self.assertEqual(len(r.crash_lines), run.CRASH_LINES)

    def test_partial_last_line_of_crash_report_is_kept(self):
        r = run.parse_ktap(BAIL_OUT + "  panic_halt+0x")
        self.assertEqual(r.crash_lines[-1], "  panic_halt+0x")

    def test_indented_bail_out(self):
        r = run.parse_ktap(BAIL_OUT.replace("Bail out!", "    Bail out!"))
        self.assertTrue(r.bail_out.startswith("trap.page_fault crashed"))

    def test_missing_top_level_plan(self):
        r = run.parse_ktap(MISSING_TOP_PLAN)
        self.assertEqual(r.shortfalls, ["missing top-level plan"])
        self.assertFalse(r.clean)

    def test_missing_nested_plan(self):
        r = run.parse_ktap(MISSING_NESTED_PLAN)
        self.assertEqual(r.shortfalls, ["suite lib: missing plan"])
        self.assertFalse(r.clean)

    def test_nested_count_mismatch(self):
        r = run.parse_ktap(NESTED_COUNT_MISMATCH)
        self.assertEqual(r.shortfalls, ["suite lib: plan 1..3 but 2 results"])
        self.assertFalse(r.clean)

    def test_top_count_mismatch(self):
        r = run.parse_ktap(TOP_COUNT_MISMATCH)
        self.assertEqual(r.shortfalls,
                         ["top level: plan 1..2 but 1 suite results"])
        self.assertFalse(r.clean)

    def test_junk_before_ktap_is_ignored(self):
        r = run.parse_ktap(JUNK_BEFORE)
        self.assertEqual(r.plan, 2)
        self.assertEqual((r.passed, r.failed, r.skipped), (4, 0, 1))
        self.assertEqual(r.problems, [])

    def test_version_line_after_junk_on_same_line(self):
        r = run.parse_ktap("\x1b[2J" + ALL_PASS.split("\n", 4)[4]
                           .replace("KTAP version 1", "grub> KTAP version 1",
                                    1))
        self.assertTrue(r.started)
        self.assertTrue(r.clean)

    def test_no_ktap_at_all(self):
        r = run.parse_ktap(BANNER + "panic: out of memory\n")
        self.assertFalse(r.started)
        self.assertEqual(r.problems, [])
        self.assertFalse(r.clean)

    def test_truncated_by_timeout(self):
        r = run.parse_ktap(TRUNCATED)
        self.assertEqual((r.passed, r.failed), (1, 0))
        self.assertEqual(r.suites[0].tests[-1].name, "memcpy_basic")
        self.assertEqual(r.stray_lines, ["    ok 2 printf_w"])
        self.assertEqual(r.shortfalls, [
            "suite lib: plan 1..3 but 1 results",
            "top level: plan 1..2 but 0 suite results"])

    def test_suite_result_must_agree_with_tests(self):
        r = run.parse_ktap(ONE_FAILURE.replace("not ok 1 lib", "ok 1 lib"))
        self.assertIn("suite lib: reported ok with 1 failed tests", r.problems)
        r = run.parse_ktap(ALL_PASS.replace("ok 2 boot", "not ok 2 boot"))
        self.assertIn("suite boot: reported not ok but no test failed",
                      r.problems)

    def test_two_blocks_without_a_result_between(self):
        text = TOP_COUNT_MISMATCH.replace("ok 1 lib\n", "")
        text += ("    KTAP version 1\n    # Subtest: boot\n    1..0\n"
                 "ok 1 boot\n")
        r = run.parse_ktap(text)
        self.assertIn("suite lib: no top-level result line", r.shortfalls)

    def test_nested_lines_without_version_line(self):
        r = run.parse_ktap(ALL_PASS.replace("    KTAP version 1\n", "", 1))
        self.assertEqual(r.problems,
                         ["nested block without its 'KTAP version 1' line"])
        self.assertEqual(r.suites[0].name, "lib")

    def test_duplicate_plans(self):
        r = run.parse_ktap(ALL_PASS.replace("1..2\n", "1..2\n1..2\n", 1)
                           .replace("    1..3\n", "    1..3\n    1..3\n"))
        self.assertEqual(r.problems, ["duplicate top-level plan",
                                      "suite lib: duplicate plan"])

    def test_numbering_is_checked(self):
        r = run.parse_ktap(ALL_PASS.replace("ok 2 printf_width",
                                            "ok 5 printf_width"))
        self.assertIn("suite lib: test printf_width numbered 5, expected 2",
                      r.problems)

    def test_non_ktap_lines_inside_are_kept_aside(self):
        text = ALL_PASS.replace("    ok 1 memmap_sorted\n",
                                "    ok 1 memmap_sorted\nhello world\n")
        r = run.parse_ktap(text)
        self.assertEqual(r.stray_lines, ["hello world"])
        self.assertTrue(r.clean)

    def test_dash_separator_and_empty_skip_reason(self):
        result = run.parse_result("ok 7 - name # skip")
        self.assertEqual(result, (True, 7, "name", ""))
        self.assertIsNone(run.parse_result("okay 7 name"))


class JudgeTest(unittest.TestCase):
    """judge(): a serial log and QEMU's exit give PASS/FAIL and reasons."""

    def test_all_pass_exit_33(self):
        v = run.judge("cfg", ALL_PASS, run_info(33))
        self.assertEqual(v.status, "PASS")
        self.assertEqual((v.passed, v.failed, v.skipped), (4, 0, 1))
        self.assertEqual((v.headline, v.details), ("", []))

    def test_failure_exit_35(self):
        v = run.judge("cfg", ONE_FAILURE, run_info(35))
        self.assertEqual(v.status, "FAIL")
        self.assertEqual(v.headline, "lib: not ok 2 printf_width")
        self.assertEqual(v.details[0], "lib: not ok 2 printf_width")
        self.assertEqual(v.details[1], "    # lib_test.c:42: expected x == y")
        self.assertEqual(v.details[-1], "log: build/test/cfg.log")

    def test_long_diagnostics_are_cut(self):
        many = "".join(f"    # line {i}\n" for i in range(25))
        text = ONE_FAILURE.replace("    not ok 2", many + "    not ok 2")
        v = run.judge("cfg", text, run_info(35))
        self.assertIn("    ... 18 more lines", v.details)

    def test_exit_35_with_all_ok(self):
        text = ALL_PASS + '# ktest: no test matches "lbi"\n'
        v = run.judge("cfg", text, run_info(35))
        self.assertEqual(v.status, "FAIL")
        self.assertEqual(v.headline, "kernel reported failure")
        self.assertIn('  # ktest: no test matches "lbi"', v.details)
        self.assertFalse(any("pass:" in d or "4 passed" in d
                             for d in v.details))
        self.assertEqual(v.failed, 1)

    def test_exit_33_with_failure(self):
        v = run.judge("cfg", ONE_FAILURE, run_info(33))
        self.assertEqual(v.status, "FAIL")
        self.assertIn("kernel exited 33 (pass) but the log shows failures",
                      v.details)

    def test_exit_33_with_broken_structure(self):
        v = run.judge("cfg", NESTED_COUNT_MISMATCH, run_info(33))
        self.assertEqual(v.status, "FAIL")
        self.assertEqual(v.headline, "suite lib: plan 1..3 but 2 results")

    def test_missing_plans_fail(self):
        for text in (MISSING_TOP_PLAN, MISSING_NESTED_PLAN,
                     TOP_COUNT_MISMATCH):
            with self.subTest(text=text):
                v = run.judge("cfg", text, run_info(33))
                self.assertEqual(v.status, "FAIL")
                self.assertEqual(v.failed, 1)

    def test_bail_out(self):
        v = run.judge("cfg", BAIL_OUT, run_info(35))
        self.assertEqual(v.status, "FAIL")
        self.assertEqual(v.headline, "Bail out! trap.page_fault crashed: "
                         "page fault at 0xdeadbeef")
        self.assertEqual(v.details[:3], [
            "trap: not ok 2 page_fault",
            "Bail out! trap.page_fault crashed: page fault at 0xdeadbeef",
            "  trap 14 (page fault) error 0x2 cr2 0xdeadbeef"])
        self.assertIn("  backtrace:", v.details)
        self.assertFalse(any("plan" in d for d in v.details))
        self.assertEqual(v.failed, 1)

    def test_timeout(self):
        v = run.judge("cfg", TRUNCATED,
                      run_info(None, True, last_started="lib.printf_width",
                               timeout=60))
        self.assertEqual(v.status, "FAIL")
        self.assertEqual(v.headline, "timeout after 60s in lib.printf_width")
        self.assertEqual(v.details[0], "timeout after 60s; last test started:"
                         " lib.printf_width (from build/test/cfg.e9)")
        self.assertEqual((v.passed, v.failed), (1, 1))
        self.assertEqual(v.details[1:], ["log: build/test/cfg.log"])

    def test_timeout_after_test_finished(self):
        v = run.judge("cfg", TRUNCATED,
                      run_info(None, True, last_started="lib.memcpy_basic"))
        self.assertEqual(v.headline,
                         "timeout after 60s after lib.memcpy_basic")
        self.assertTrue(v.details[0].endswith("it had printed its result"))

    def test_timeout_before_any_test(self):
        v = run.judge("cfg", BANNER, run_info(None, True, timeout=1.5))
        self.assertEqual(v.headline, "timeout after 1.5s")
        self.assertIn("last test started: none", v.details[0])
        self.assertIn("no KTAP output; the log ends with:", v.details)

    def test_triple_fault(self):
        v = run.judge("cfg", TRUNCATED,
                      run_info(0, last_started="lib.printf_width"))
        self.assertEqual(v.status, "FAIL")
        self.assertEqual(v.headline, "triple fault / reset")
        self.assertIn("lib.printf_width", v.details[0])

    def test_qemu_error(self):
        err = ("qemu-system-x86_64: warning: something\n"
               "qemu-system-x86_64: -m 16G: cannot set up guest memory\n")
        v = run.judge("cfg", "", run_info(1, output=err))
        self.assertEqual(v.headline, "QEMU error: qemu-system-x86_64: -m 16G:"
                         " cannot set up guest memory")
        self.assertIn("  qemu-system-x86_64: warning: something", v.details)
        self.assertEqual(v.failed, 1)

    def test_unexpected_exit_code(self):
        v = run.judge("cfg", ALL_PASS, run_info(3))
        self.assertEqual(v.headline, "unexpected QEMU exit code 3")
        v = run.judge("cfg", ALL_PASS, run_info(-9))
        self.assertEqual(v.headline, "QEMU killed by signal 9")

    def test_no_ktap_output(self):
        v = run.judge("cfg", BANNER + "panic: no memory\n", run_info(35))
        self.assertEqual(v.headline, "no KTAP output")
        self.assertIn("  panic: no memory", v.details)

    def test_empty_log(self):
        v = run.judge("cfg", "", run_info(33))
        self.assertEqual(v.status, "FAIL")
        self.assertIn("no KTAP output; the log is empty", v.details)


class FormatTest(unittest.TestCase):
    """The configuration lines and the two summary lines."""

    def test_pass_line(self):
        v = run.Verdict("x86_64-1cpu-128M", "PASS", 41, 0, 2, 0.84)
        [line] = run.format_verdict(v, 16)
        self.assertEqual(line, "PASS  x86_64-1cpu-128M   41 passed, 0 failed,"
                         " 2 skipped   0.84s")

    def test_fail_line_is_aligned_and_details_indented(self):
        ok = run.Verdict("x86_64-1cpu-128M", "PASS", 41, 0, 2, 0.84)
        bad = run.judge("i386-1cpu-16M", ONE_FAILURE, run_info(35))
        [ok_line] = run.format_verdict(ok, 16)
        bad_lines = run.format_verdict(bad, 16)
        self.assertEqual(ok_line.index("0.84s"), bad_lines[0].index("0.84s"))
        self.assertTrue(bad_lines[0].startswith("FAIL  i386-1cpu-16M      "))
        self.assertTrue(bad_lines[0].endswith(
            "  (lib: not ok 2 printf_width)"))
        self.assertTrue(all(l.startswith("      ") for l in bad_lines[1:]))

    def test_summary_without_skips(self):
        verdicts = [run.Verdict("a", "PASS", 4, 0, 0),
                    run.Verdict("b", "FAIL", 3, 1, 0)]
        self.assertEqual(run.format_summary(verdicts, 12.34), [
            "matrix: 2 configurations, 1 passed, 1 failed, 12.3s wall",
            "7 passed, 1 failed"])

    def test_summary_with_skips_and_skipped_configs(self):
        verdicts = [run.Verdict("a", "PASS", 4, 0, 1),
                    run.Verdict("iso", "SKIP", headline="not run")]
        self.assertEqual(run.format_summary(verdicts, 1.0), [
            "matrix: 2 configurations, 1 passed, 0 failed, 1 skipped, "
            "1.0s wall",
            "4 passed, 0 failed, 1 skipped"])


class MatrixTest(unittest.TestCase):

    def test_names_are_unique_keys(self):
        matrix = run.build_matrix()
        self.assertEqual(len(matrix), len(run.MATRIX_ROWS))
        self.assertIn("i386-1cpu-16M", matrix)
        self.assertEqual(matrix["i386-1cpu-16M"].mem, "16M")

    def test_duplicate_rows_are_refused(self):
        row = run.MATRIX_ROWS[0]
        with self.assertRaises(ValueError):
            run.build_matrix([row, row])

    def test_kernel_command_line(self):
        cfg = run.build_matrix()["x86_64-1cpu-128M"]
        cmd = run.qemu_command(cfg, Path("b"), Path("b/test"), "tcg", "lib")
        self.assertEqual(cmd[0], "qemu-system-x86_64")
        self.assertIn("isa-debug-exit,iobase=0xf4,iosize=0x04", cmd)
        self.assertEqual(cmd[cmd.index("-kernel") + 1], "b/x86_64/minnow.elf")
        self.assertEqual(cmd[cmd.index("-append") + 1], "ktest=lib ncpus=1")
        self.assertEqual(cmd[cmd.index("-debugcon") + 1],
                         "file:b/test/x86_64-1cpu-128M.e9")
        self.assertEqual(cmd[cmd.index("-accel") + 1], "tcg")

    def test_row_kernel_options_follow_ncpus(self):
        cfg = run.build_matrix()["x86_64-4cpu-slot-map"]
        cmd = run.qemu_command(cfg, Path("b"), Path("b/test"), "tcg", None)
        self.assertEqual(cmd[cmd.index("-append") + 1],
                         "ktest ncpus=4 quickmap=slot sfbuf=map nsfbufs=64")

    def test_iso_row_may_not_have_kernel_options(self):
        row = ("x", "i386", "iso", 1, "128M", "max", [], "sfbuf=map")
        with self.assertRaises(ValueError):
            run.build_matrix([row])

    def test_iso_command_line(self):
        cfg = run.build_matrix()["i386-iso-128M"]
        cmd = run.qemu_command(cfg, Path("b"), Path("b/test"), "kvm", None)
        self.assertEqual(cmd[cmd.index("-cdrom") + 1],
                         "b/i386/minnow-test.iso")
        self.assertNotIn("-append", cmd)
        self.assertEqual(cmd[cmd.index("-cpu") + 1], "max")

    def test_last_started_test(self):
        e9 = "start lib.a\nstart lib.b\nnoise\n"
        self.assertEqual(run.last_started_test(e9), "lib.b")
        self.assertIsNone(run.last_started_test(""))


FAKE_QEMU = """\
#!{python}
# Fake qemu-system-*: replays the JSON "image" it is asked to boot.
import json, sys, time
args = sys.argv[1:]
def value(opt):
    return args[args.index(opt) + 1] if opt in args else None
image = value("-kernel") or value("-cdrom")
spec = json.load(open(image))
open(image + ".argv", "w").write(json.dumps(args))
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
        for patch in (mock.patch.object(run, "QEMU_BINARIES", binaries),
                      mock.patch.object(run, "MATRIX_ROWS", rows),
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
        self.image("i386", "minnow.elf", serial=TRUNCATED, sleep=10,
                   e9="start lib.memcpy_basic\nstart lib.printf_width\n")
        k64 = self.image("x86_64", "minnow.elf", serial=ONE_FAILURE, exit=35)
        self.image("x86_64", "minnow-test.iso", serial=ALL_PASS)
        rc, out, err = self.main("--ktest", "lib", "--timeout", "1")
        self.assertEqual(rc, 1)
        self.assertTrue(out[0].startswith("SKIP  iso64   not run: --ktest"))
        text = "\n".join(out)
        self.assertIn("(timeout after 1s in lib.printf_width)", text)
        self.assertIn("timeout after 1s; last test started: lib.printf_width"
                      " (from ", text)
        self.assertIn("(lib: not ok 2 printf_width)", text)
        self.assertRegex(out[-2], r"^matrix: 3 configurations, 0 passed, "
                         r"2 failed, 1 skipped, ")
        self.assertEqual(out[-1], "4 passed, 2 failed, 1 skipped")
        argv = json.loads(Path(str(k64) + ".argv").read_text())
        self.assertEqual(argv[argv.index("-append") + 1], "ktest=lib ncpus=2")
        self.assertEqual(argv[argv.index("-smp") + 1], "2")
        self.assertEqual(argv[-1], "-s")

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
        with mock.patch.object(run, "QEMU_BINARIES",
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
        with mock.patch.dict(os.environ, {"TEST_TIMEOUT": "7"}):
            self.assertEqual(run.parse_args([]).timeout, 7.0)
        with mock.patch.dict(os.environ, {"TEST_TIMEOUT": ""}):
            self.assertEqual(run.parse_args([]).timeout, 60.0)


if __name__ == "__main__":
    unittest.main()
