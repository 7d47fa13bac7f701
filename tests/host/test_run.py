"""Host tests of the runner: tests/verdict.py (judging boots) and
tests/run.py (its report and its command line, end to end).

The verdicts are tested on sample serial logs (runner_samples.py); the
process handling, crash containment included, with a fake qemu-system-*
script that replays the log, debug-console text and exit code written in
the "image" it boots.

Run from the repository root:  python3 -m unittest tests/host/test_run.py
"""

import contextlib
import io
import json
import os
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
from runner_samples import (  # noqa: E402
    ALL_PASS, BAIL_OUT, BANNER, CRASH_BOOT1, CRASH_BOOT2, CRASH_BOOT3,
    JUNK_BEFORE, MISSING_NESTED_PLAN, MISSING_TOP_PLAN,
    NESTED_COUNT_MISMATCH, ONE_FAILURE, RESUMED, TOP_COUNT_MISMATCH,
    TRUNCATED, ktap, matrix_module, run, run_info)
from ktap import parse_ktap     # noqa: E402
from matrix import Config       # noqa: E402
from verdict import Verdict, judge  # noqa: E402


class JudgeTest(unittest.TestCase):
    """judge(): a serial log and QEMU's exit give PASS/FAIL and reasons."""

    def test_all_pass_exit_33(self):
        v = judge("cfg", ALL_PASS, run_info(33))
        self.assertEqual(v.status, "PASS")
        self.assertEqual((v.passed, v.failed, v.skipped), (4, 0, 1))
        self.assertEqual((v.headline, v.details), ("", []))

    def test_failure_exit_35(self):
        v = judge("cfg", ONE_FAILURE, run_info(35))
        self.assertEqual(v.status, "FAIL")
        self.assertEqual(v.headline, "lib: not ok 2 printf_width")
        self.assertEqual(v.details[0], "lib: not ok 2 printf_width")
        self.assertEqual(v.details[1], "    # lib_test.c:42: expected x == y")
        self.assertEqual(v.details[-1], "log: build/test/cfg.log")

    def test_long_diagnostics_are_cut(self):
        many = "".join(f"    # line {i}\n" for i in range(25))
        text = ONE_FAILURE.replace("    not ok 2", many + "    not ok 2")
        v = judge("cfg", text, run_info(35))
        self.assertIn("    ... 18 more lines", v.details)

    def test_exit_35_with_all_ok(self):
        text = ALL_PASS + '# ktest: no test matches "lbi"\n'
        v = judge("cfg", text, run_info(35))
        self.assertEqual(v.status, "FAIL")
        self.assertEqual(v.headline, "kernel reported failure")
        self.assertIn('  # ktest: no test matches "lbi"', v.details)
        self.assertFalse(any("pass:" in d or "4 passed" in d
                             for d in v.details))
        self.assertEqual(v.failed, 1)

    def test_exit_33_with_failure(self):
        v = judge("cfg", ONE_FAILURE, run_info(33))
        self.assertEqual(v.status, "FAIL")
        self.assertIn("kernel exited 33 (pass) but the log shows failures",
                      v.details)

    def test_exit_33_with_broken_structure(self):
        v = judge("cfg", NESTED_COUNT_MISMATCH, run_info(33))
        self.assertEqual(v.status, "FAIL")
        self.assertEqual(v.headline, "suite lib: plan 1..3 but 2 results")

    def test_missing_plans_fail(self):
        for text in (MISSING_TOP_PLAN, MISSING_NESTED_PLAN,
                     TOP_COUNT_MISMATCH):
            with self.subTest(text=text):
                v = judge("cfg", text, run_info(33))
                self.assertEqual(v.status, "FAIL")
                self.assertEqual(v.failed, 1)

    def test_bail_out(self):
        v = judge("cfg", BAIL_OUT, run_info(35))
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
        v = judge("cfg", TRUNCATED,
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
        v = judge("cfg", TRUNCATED,
                  run_info(None, True, last_started="lib.memcpy_basic"))
        self.assertEqual(v.headline,
                         "timeout after 60s after lib.memcpy_basic")
        self.assertTrue(v.details[0].endswith("it had printed its result"))

    def test_timeout_before_any_test(self):
        v = judge("cfg", BANNER, run_info(None, True, timeout=1.5))
        self.assertEqual(v.headline, "timeout after 1.5s")
        self.assertIn("last test started: none", v.details[0])
        self.assertIn("no KTAP output; the log ends with:", v.details)

    def test_triple_fault(self):
        v = judge("cfg", TRUNCATED,
                  run_info(0, last_started="lib.printf_width"))
        self.assertEqual(v.status, "FAIL")
        self.assertEqual(v.headline, "triple fault / reset")
        self.assertIn("lib.printf_width", v.details[0])

    def test_qemu_error(self):
        err = ("qemu-system-x86_64: warning: something\n"
               "qemu-system-x86_64: -m 16G: cannot set up guest memory\n")
        v = judge("cfg", "", run_info(1, output=err))
        self.assertEqual(v.headline, "QEMU error: qemu-system-x86_64: -m 16G:"
                         " cannot set up guest memory")
        self.assertIn("  qemu-system-x86_64: warning: something", v.details)
        self.assertEqual(v.failed, 1)

    def test_unexpected_exit_code(self):
        v = judge("cfg", ALL_PASS, run_info(3))
        self.assertEqual(v.headline, "unexpected QEMU exit code 3")
        v = judge("cfg", ALL_PASS, run_info(-9))
        self.assertEqual(v.headline, "QEMU killed by signal 9")

    def test_no_ktap_output(self):
        v = judge("cfg", BANNER + "panic: no memory\n", run_info(35))
        self.assertEqual(v.headline, "no KTAP output")
        self.assertIn("  panic: no memory", v.details)

    def test_empty_log(self):
        v = judge("cfg", "", run_info(33))
        self.assertEqual(v.status, "FAIL")
        self.assertIn("no KTAP output; the log is empty", v.details)


    def test_refused_filter_is_not_clean(self):
        log = ktap("""
            KTAP version 1
            # ktest: no test matches "nosuch"
            1..0
            Bail out! ktest: nothing run: 1 problem(s) with the command line
            """)
        v = judge("cfg", log, run_info(35))
        self.assertEqual(v.status, "FAIL")
        self.assertEqual(v.headline, "Bail out! ktest: nothing run: 1 "
                         "problem(s) with the command line")
        self.assertEqual(v.details[:2], [
            '# ktest: no test matches "nosuch"',
            "Bail out! ktest: nothing run: 1 problem(s) with the command "
            "line"])



class FormatTest(unittest.TestCase):
    """The configuration lines and the two summary lines."""

    def test_pass_line(self):
        v = Verdict("x86_64-1cpu-128M", "PASS", 41, 0, 2, 0.84)
        [line] = run.format_verdict(v, 16)
        self.assertEqual(line, "PASS  x86_64-1cpu-128M   41 passed, 0 failed,"
                         " 2 skipped   0.84s")

    def test_fail_line_is_aligned_and_details_indented(self):
        ok = Verdict("x86_64-1cpu-128M", "PASS", 41, 0, 2, 0.84)
        bad = judge("i386-1cpu-16M", ONE_FAILURE, run_info(35))
        [ok_line] = run.format_verdict(ok, 16)
        bad_lines = run.format_verdict(bad, 16)
        self.assertEqual(ok_line.index("0.84s"), bad_lines[0].index("0.84s"))
        self.assertTrue(bad_lines[0].startswith("FAIL  i386-1cpu-16M      "))
        self.assertTrue(bad_lines[0].endswith(
            "  (lib: not ok 2 printf_width)"))
        self.assertTrue(all(l.startswith("      ") for l in bad_lines[1:]))

    def test_summary_without_skips(self):
        verdicts = [Verdict("a", "PASS", 4, 0, 0),
                    Verdict("b", "FAIL", 3, 1, 0)]
        self.assertEqual(run.format_summary(verdicts, 12.34), [
            "matrix: 2 configurations, 1 passed, 1 failed, 12.3s wall",
            "7 passed, 1 failed"])

    def test_summary_with_skips_and_skipped_configs(self):
        verdicts = [Verdict("a", "PASS", 4, 0, 1),
                    Verdict("iso", "SKIP", headline="not run")]
        self.assertEqual(run.format_summary(verdicts, 1.0), [
            "matrix: 2 configurations, 1 passed, 0 failed, 1 skipped, "
            "1.0s wall",
            "4 passed, 0 failed, 1 skipped"])


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
        for patch in (mock.patch.object(matrix_module, "QEMU_BINARIES",
                                        binaries),
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
        merged = parse_ktap((logs / "k64.ktap").read_text())
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
        cfg = Config("cfg", "x86_64", "kernel", 1, "128M")
        slow = Config("slow", "x86_64", "kernel", 1, "128M",
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
