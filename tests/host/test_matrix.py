"""Host tests of tests/matrix.py: the rows and their QEMU command lines.

Run from the repository root:  python3 -m unittest tests/host/test_matrix.py
"""

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import runner_samples  # noqa: E402,F401  loads tests/run.py and its modules
from boot import last_started_test  # noqa: E402
from matrix import (MATRIX_ROWS, Config, boot_command,  # noqa: E402
                    build_matrix, kernel_cmdline, qemu_command)


class MatrixTest(unittest.TestCase):

    def test_names_are_unique_keys(self):
        matrix = build_matrix()
        self.assertEqual(len(matrix), len(MATRIX_ROWS))
        self.assertIn("i386-1cpu-16M", matrix)
        self.assertEqual(matrix["i386-1cpu-16M"].mem, "16M")

    def test_duplicate_rows_are_refused(self):
        row = MATRIX_ROWS[0]
        with self.assertRaises(ValueError):
            build_matrix([row, row])

    def test_kernel_command_line(self):
        cfg = build_matrix()["x86_64-1cpu-128M"]
        cmd = qemu_command(cfg, Path("b"), Path("b/test"), "tcg", "lib")
        self.assertEqual(cmd[0], "qemu-system-x86_64")
        self.assertIn("isa-debug-exit,iobase=0xf4,iosize=0x04", cmd)
        self.assertEqual(cmd[cmd.index("-kernel") + 1], "b/x86_64/minnow.elf")
        self.assertEqual(cmd[cmd.index("-append") + 1], "ktest=lib ncpus=1")
        self.assertEqual(cmd[cmd.index("-debugcon") + 1],
                         "file:b/test/x86_64-1cpu-128M.e9")
        self.assertEqual(cmd[cmd.index("-accel") + 1], "tcg")

    def test_row_kernel_options_follow_ncpus(self):
        cfg = build_matrix()["x86_64-4cpu-slot-map"]
        cmd = qemu_command(cfg, Path("b"), Path("b/test"), "tcg", None)
        self.assertEqual(cmd[cmd.index("-append") + 1],
                         "ktest ncpus=4 quickmap=slot sfbuf=map nsfbufs=64")

    def test_iso_row_may_not_have_kernel_options(self):
        row = ("x", "i386", "iso", 1, "128M", "max", [], "sfbuf=map")
        with self.assertRaises(ValueError):
            build_matrix([row])

    def test_iso_command_line(self):
        cfg = build_matrix()["i386-iso-128M"]
        cmd = qemu_command(cfg, Path("b"), Path("b/test"), "kvm", None)
        self.assertEqual(cmd[cmd.index("-cdrom") + 1],
                         "b/i386/minnow-test.iso")
        self.assertNotIn("-append", cmd)
        self.assertEqual(cmd[cmd.index("-cpu") + 1], "max")

    def test_row_options(self):
        rows = [("a", "x86_64", "kernel", 2, "128M", "max", [],
                 {"cmdline": "quickmap=slot sfbuf=map", "timeout": 90}),
                ("b", "i386", "kernel", 1, "16M", "max", [])]
        matrix = build_matrix(rows)
        self.assertEqual((matrix["a"].cmdline, matrix["a"].timeout),
                         ("quickmap=slot sfbuf=map", 90))
        self.assertEqual((matrix["b"].cmdline, matrix["b"].timeout),
                         ("", None))
        self.assertEqual(kernel_cmdline(matrix["a"], "lib", "lib.x"),
                         "ktest=lib ncpus=2 quickmap=slot sfbuf=map "
                         "ktest.after=lib.x")
        self.assertEqual(kernel_cmdline(matrix["b"], None, None),
                         "ktest ncpus=1")
        own = build_matrix([("c", "x86_64", "kernel", 16, "256M", "max",
                             [], {"ktest": "sched"})])["c"]
        self.assertEqual(kernel_cmdline(own, None, None),
                         "ktest=sched ncpus=16")
        self.assertEqual(kernel_cmdline(own, "lib", "lib.x"),
                         "ktest=lib ncpus=16 ktest.after=lib.x")
        bad = [("c", "x86_64", "kernel", 1, "1M", "max", [], {"cmdlin": ""}),
               ("c", "x86_64", "iso", 1, "1M", "max", [], {"cmdline": "x"}),
               ("c", "x86_64", "kernel", 1, "1M", "max", [], {"timeout": 0}),
               ("c", "x86_64", "iso", 1, "1M", "max", [], {"ktest": "lib"}),
               ("c", "x86_64", "kernel", 1, "1M", "max", [], "x=1")]
        for row in bad:
            with self.subTest(row=row), self.assertRaises(ValueError):
                build_matrix([row])

    def test_boot_command_sets_logs_and_append(self):
        cfg = Config("k", "x86_64", "kernel", 2, "128M",
                     cmdline="sfbuf=map")
        cmd = boot_command(cfg, Path("b"), Path("b/test"), "tcg", None,
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
        self.assertEqual(last_started_test(e9), "lib.b")
        self.assertIsNone(last_started_test(""))



if __name__ == "__main__":
    unittest.main()
