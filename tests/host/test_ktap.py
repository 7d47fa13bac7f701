"""Host tests of tests/ktap.py: parsing KTAP, crash points, merging boots.

The parser is tested on sample serial logs (runner_samples.py); the
merged KTAP is also read back, and by prove and kunit.py when installed.

Run from the repository root:  python3 -m unittest tests/host/test_ktap.py
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from runner_samples import (  # noqa: E402
    ALL_PASS, BAIL_OUT, BANNER, CRASH_BOOT1, CRASH_BOOT2, CRASH_BOOT3,
    JUNK_BEFORE, MISSING_NESTED_PLAN, MISSING_TOP_PLAN,
    NESTED_COUNT_MISMATCH, ONE_FAILURE, RESUMED, TOP_COUNT_MISMATCH,
    TRUNCATED, crash_boots, ktap, names)
from ktap import (CRASH_LINES, format_ktap, merge_reports,  # noqa: E402
                  parse_ktap, parse_result, runs_after)


class ParseKtapTest(unittest.TestCase):
    """parse_ktap(): structure, counts and problems of sample logs."""

    def test_all_pass(self):
        r = parse_ktap(ALL_PASS)
        self.assertTrue(r.started)
        self.assertEqual(r.plan, 2)
        self.assertEqual([s.name for s in r.suites], ["lib", "boot"])
        self.assertEqual([s.plan for s in r.suites], [3, 2])
        self.assertEqual((r.passed, r.failed, r.skipped), (4, 0, 1))
        self.assertEqual(r.problems, [])
        self.assertIsNone(r.bail_out)
        self.assertTrue(r.clean)

    def test_skip_reason(self):
        test = parse_ktap(ALL_PASS).suites[0].tests[2]
        self.assertEqual(test.name, "strtoull_bases")
        self.assertEqual(test.skip, "needs 2 CPUs")
        self.assertTrue(test.skipped)

    def test_failure_keeps_its_diagnostics(self):
        r = parse_ktap(ONE_FAILURE)
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
        r = parse_ktap(BAIL_OUT)
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
        r = parse_ktap(text)
        self.assertEqual(len(r.crash_lines), CRASH_LINES)

    def test_partial_last_line_of_crash_report_is_kept(self):
        r = parse_ktap(BAIL_OUT + "  panic_halt+0x")
        self.assertEqual(r.crash_lines[-1], "  panic_halt+0x")

    def test_indented_bail_out(self):
        r = parse_ktap(BAIL_OUT.replace("Bail out!", "    Bail out!"))
        self.assertTrue(r.bail_out.startswith("trap.page_fault crashed"))

    def test_missing_top_level_plan(self):
        r = parse_ktap(MISSING_TOP_PLAN)
        self.assertEqual(r.shortfalls, ["missing top-level plan"])
        self.assertFalse(r.clean)

    def test_missing_nested_plan(self):
        r = parse_ktap(MISSING_NESTED_PLAN)
        self.assertEqual(r.shortfalls, ["suite lib: missing plan"])
        self.assertFalse(r.clean)

    def test_nested_count_mismatch(self):
        r = parse_ktap(NESTED_COUNT_MISMATCH)
        self.assertEqual(r.shortfalls, ["suite lib: plan 1..3 but 2 results"])
        self.assertFalse(r.clean)

    def test_top_count_mismatch(self):
        r = parse_ktap(TOP_COUNT_MISMATCH)
        self.assertEqual(r.shortfalls,
                         ["top level: plan 1..2 but 1 suite results"])
        self.assertFalse(r.clean)

    def test_junk_before_ktap_is_ignored(self):
        r = parse_ktap(JUNK_BEFORE)
        self.assertEqual(r.plan, 2)
        self.assertEqual((r.passed, r.failed, r.skipped), (4, 0, 1))
        self.assertEqual(r.problems, [])

    def test_version_line_after_junk_on_same_line(self):
        r = parse_ktap("\x1b[2J" + ALL_PASS.split("\n", 4)[4]
                       .replace("KTAP version 1", "grub> KTAP version 1",
                                1))
        self.assertTrue(r.started)
        self.assertTrue(r.clean)

    def test_no_ktap_at_all(self):
        r = parse_ktap(BANNER + "panic: out of memory\n")
        self.assertFalse(r.started)
        self.assertEqual(r.problems, [])
        self.assertFalse(r.clean)

    def test_truncated_by_timeout(self):
        r = parse_ktap(TRUNCATED)
        self.assertEqual((r.passed, r.failed), (1, 0))
        self.assertEqual(r.suites[0].tests[-1].name, "memcpy_basic")
        self.assertEqual(r.stray_lines, ["    ok 2 printf_w"])
        self.assertEqual(r.shortfalls, [
            "suite lib: plan 1..3 but 1 results",
            "top level: plan 1..2 but 0 suite results"])

    def test_suite_result_must_agree_with_tests(self):
        r = parse_ktap(ONE_FAILURE.replace("not ok 1 lib", "ok 1 lib"))
        self.assertIn("suite lib: reported ok with 1 failed tests", r.problems)
        r = parse_ktap(ALL_PASS.replace("ok 2 boot", "not ok 2 boot"))
        self.assertIn("suite boot: reported not ok but no test failed",
                      r.problems)

    def test_two_blocks_without_a_result_between(self):
        text = TOP_COUNT_MISMATCH.replace("ok 1 lib\n", "")
        text += ("    KTAP version 1\n    # Subtest: boot\n    1..0\n"
                 "ok 1 boot\n")
        r = parse_ktap(text)
        self.assertIn("suite lib: no top-level result line", r.shortfalls)

    def test_nested_lines_without_version_line(self):
        r = parse_ktap(ALL_PASS.replace("    KTAP version 1\n", "", 1))
        self.assertEqual(r.problems,
                         ["nested block without its 'KTAP version 1' line"])
        self.assertEqual(r.suites[0].name, "lib")

    def test_duplicate_plans(self):
        r = parse_ktap(ALL_PASS.replace("1..2\n", "1..2\n1..2\n", 1)
                       .replace("    1..3\n", "    1..3\n    1..3\n"))
        self.assertEqual(r.problems, ["duplicate top-level plan",
                                      "suite lib: duplicate plan"])

    def test_numbering_is_checked(self):
        r = parse_ktap(ALL_PASS.replace("ok 2 printf_width",
                                        "ok 5 printf_width"))
        self.assertIn("suite lib: test printf_width numbered 5, expected 2",
                      r.problems)

    def test_non_ktap_lines_inside_are_kept_aside(self):
        text = ALL_PASS.replace("    ok 1 memmap_sorted\n",
                                "    ok 1 memmap_sorted\nhello world\n")
        r = parse_ktap(text)
        self.assertEqual(r.stray_lines, ["hello world"])
        self.assertTrue(r.clean)

    def test_dash_separator_and_empty_skip_reason(self):
        result = parse_result("ok 7 - name # skip")
        self.assertEqual(result, (True, 7, "name", ""))
        self.assertIsNone(parse_result("okay 7 name"))



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
        self.assertTrue(runs_after(report, crash))
        last = CRASH_BOOT3.replace("ok 2 sleep # SKIP needs 2 CPUs",
                                   "# crashed: boom\n    not ok 2 sleep")
        last += "Bail out! sched.sleep crashed: boom\n"
        (report, crash), = crash_boots((last, None, None))
        self.assertEqual(crash.test, "sched.sleep")
        self.assertFalse(runs_after(report, crash))

    def test_two_crashes_merge_into_one_run(self):
        merged = merge_reports(crash_boots(
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
        merged = merge_reports(crash_boots(
            (CRASH_BOOT1, None, None), (CRASH_BOOT2, None, None),
            (CRASH_BOOT3, None, None)))
        text = format_ktap(merged)
        again = parse_ktap(text)
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
        merged = merge_reports(crash_boots(
            (TRUNCATED, "lib.printf_width", "timeout after 60s"),
            (RESUMED, None, None)))
        self.assertEqual(names(merged)[0], ("lib", [
            (1, "memcpy_basic", True, None), (2, "printf_width", False, None),
            (3, "strtoull_bases", True, None)]))
        self.assertEqual(merged.find_test("lib", "printf_width").diagnostics,
                         ["# crashed: timeout after 60s"])
        again = parse_ktap(format_ktap(merged))
        self.assertEqual((again.problems, again.shortfalls), ([], []))

    def test_last_boot_crash_keeps_its_not_run_results(self):
        merged = merge_reports(crash_boots(
            (CRASH_BOOT1, None, None)))
        self.assertEqual(merged.bail_out, "trap.page_fault crashed: page "
                         "fault at 0xdeadbeef")
        text = format_ktap(merged)
        self.assertIn("ok 3 sched # SKIP not run: the kernel crashed in "
                      "trap.page_fault", text)
        again = parse_ktap(text)
        self.assertEqual((again.problems, again.shortfalls), ([], []))
        # A hang nobody resumed: its test fails, the plan shows the rest.
        merged = merge_reports(crash_boots(
            (TRUNCATED, "lib.printf_width", "timeout after 60s")))
        again = parse_ktap(format_ktap(merged))
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
        report = parse_ktap(log)
        self.assertTrue(report.clean)
        self.assertEqual(report.suites[0].skip, "needs 2 CPUs")
        text = format_ktap(merge_reports(
            [(report, None)]))
        self.assertTrue(text.endswith("ok 1 smp # SKIP needs 2 CPUs\n"))


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
        return format_ktap(merge_reports(crash_boots(
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



if __name__ == "__main__":
    unittest.main()
