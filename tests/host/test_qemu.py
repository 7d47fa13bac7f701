"""Host tests of tests/qemu.py, the one builder of QEMU command lines.

Run from the repository root:  python3 -m unittest tests/host/test_qemu.py
"""

import contextlib
import importlib.util
import io
import sys
import unittest
from pathlib import Path

QEMU_PY = Path(__file__).resolve().parent.parent / "qemu.py"


def load_qemu():
    """Import tests/qemu.py by path, whatever the current directory is."""
    spec = importlib.util.spec_from_file_location("minnow_qemu", QEMU_PY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


qemu = load_qemu()


def value(argv, option):
    """The argument after option; fails the test if option is absent."""
    return argv[argv.index(option) + 1]


class ArgvTest(unittest.TestCase):
    def test_kernel_boot(self):
        argv = qemu.qemu_argv("i386", "b/i386/minnow.elf", cmdline="ktest",
                              cpus=4, mem="16M")
        self.assertEqual(argv[0], "qemu-system-i386")
        self.assertEqual(value(argv, "-kernel"), "b/i386/minnow.elf")
        self.assertEqual(value(argv, "-append"), "ktest")
        self.assertEqual(value(argv, "-smp"), "4")
        self.assertEqual(value(argv, "-m"), "16M")
        self.assertEqual(value(argv, "-cpu"), "max")
        self.assertEqual(value(argv, "-accel"), "tcg")
        self.assertEqual(value(argv, "-device"), qemu.EXIT_DEVICE)
        self.assertIn("-no-reboot", argv)
        self.assertNotIn("-icount", argv)
        self.assertNotIn("-S", argv)

    def test_no_cmdline_no_append(self):
        argv = qemu.qemu_argv("x86_64", "k.elf")
        self.assertNotIn("-append", argv)

    def test_iso_boot(self):
        argv = qemu.qemu_argv("x86_64", "b/x86_64/minnow.iso", boot="iso")
        self.assertEqual(value(argv, "-cdrom"), "b/x86_64/minnow.iso")
        self.assertEqual(value(argv, "-boot"), "d")
        self.assertNotIn("-kernel", argv)

    def test_iso_refuses_a_cmdline(self):
        with self.assertRaisesRegex(ValueError, "grub.cfg"):
            qemu.qemu_argv("x86_64", "m.iso", boot="iso", cmdline="ktest")

    def test_bad_arch_and_boot(self):
        with self.assertRaises(ValueError):
            qemu.qemu_argv("arm", "k.elf")
        with self.assertRaises(ValueError):
            qemu.qemu_argv("i386", "k.elf", boot="pxe")

    def test_terminal_keeps_the_monitor(self):
        argv = qemu.qemu_argv("x86_64", "k.elf", serial=qemu.TERMINAL)
        self.assertEqual(value(argv, "-serial"), "mon:stdio")
        self.assertNotIn("-monitor", argv)

    def test_file_serial_turns_the_monitor_off(self):
        argv = qemu.qemu_argv("x86_64", "k.elf", serial="file:x.log",
                              debugcon="x.e9")
        self.assertEqual(value(argv, "-serial"), "file:x.log")
        self.assertEqual(value(argv, "-monitor"), "none")
        self.assertEqual(value(argv, "-debugcon"), "file:x.e9")

    def test_icount_and_gdb(self):
        argv = qemu.qemu_argv("x86_64", "k.elf", icount=True, gdb_port=4321)
        self.assertEqual(value(argv, "-icount"), "shift=0")
        self.assertIn("-S", argv)
        self.assertEqual(value(argv, "-gdb"), "tcp:127.0.0.1:4321")

    def test_binary_and_extra_come_last(self):
        argv = qemu.qemu_argv("i386", "k.elf", binary="fake",
                              extra=["-cpu", "486"])
        self.assertEqual(argv[0], "fake")
        self.assertEqual(argv[-2:], ["-cpu", "486"])


class CliTest(unittest.TestCase):
    def main(self, *argv):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            rc = qemu.main(list(argv))
        return rc, out.getvalue()

    def test_print(self):
        rc, out = self.main("print", "--arch", "i386", "--build-dir", "b",
                            "--cmdline", "ktest=lib ncpus=2", "--cpus", "2",
                            "--extra", "-d int")
        self.assertEqual(rc, 0)
        self.assertIn("qemu-system-i386 ", out)
        self.assertIn("-kernel b/i386/minnow.elf", out)
        self.assertIn("-append 'ktest=lib ncpus=2'", out)
        self.assertTrue(out.rstrip().endswith("-d int"))

    def test_print_iso(self):
        rc, out = self.main("print", "--boot", "iso", "--build-dir", "b")
        self.assertEqual(rc, 0)
        self.assertIn("-cdrom b/x86_64/minnow.iso", out)

    def test_iso_with_cmdline_is_an_error(self):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            rc, _ = self.main("print", "--boot", "iso", "--cmdline", "ktest")
        self.assertEqual(rc, 2)
        self.assertIn("grub.cfg", err.getvalue())

    def test_gdb_commands(self):
        batch = qemu.gdb_argv(Path("k.elf"), 1234, interactive=False)
        self.assertIn("-batch", batch)
        self.assertIn("target remote 127.0.0.1:1234", batch)
        self.assertIn("break kmain", batch)
        self.assertEqual(batch[-3:], ["continue", "-ex", "backtrace"])
        live = qemu.gdb_argv(Path("k.elf"), 1234, interactive=True)
        self.assertNotIn("-batch", live)
        self.assertNotIn("continue", live)


if __name__ == "__main__":
    unittest.main()
