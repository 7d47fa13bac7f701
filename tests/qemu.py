#!/usr/bin/env python3
"""The one place that builds QEMU's command line for Minnow.

`make run` and `make gdb` call the command-line interface below;
tests/matrix.py (the test matrix), tests/bench.py (benchmarks) and
tests/stress.py call qemu_argv().  A device or option added here reaches every way of booting.

    python3 tests/qemu.py run   [options]   boot; COM1 and the QEMU monitor
                                            on this terminal (Ctrl-A X quits)
    python3 tests/qemu.py gdb   [options]   boot halted with a gdb stub and
                                            attach gdb with the symbols
    python3 tests/qemu.py print [options]   print the QEMU command line

Options: --arch i386|x86_64, --boot kernel|iso, --cmdline TEXT, --cpus N,
--mem SIZE, --cpu MODEL, --accel tcg|kvm, --extra "MORE QEMU ARGS",
--build-dir DIR, --gdb-port PORT; see --help.

Every boot has an isa-debug-exit device at port 0xf4: the kernel leaves
QEMU by writing v there, and QEMU exits with (v << 1) | 1: 33 when the
kernel finished well, 35 when it reported a failure.  -no-reboot turns a
triple fault into an exit with code 0.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

QEMU_BINARIES = {"i386": "qemu-system-i386", "x86_64": "qemu-system-x86_64"}
EXIT_DEVICE = "isa-debug-exit,iobase=0xf4,iosize=0x04"
EXIT_PASS = 33          # the kernel wrote KEXIT_PASS (0x10)
EXIT_FAIL = 35          # the kernel wrote KEXIT_FAIL (0x11)
TERMINAL = "mon:stdio"  # the serial value that puts COM1 on the terminal
GDB_BATCH_TIMEOUT = 120  # seconds for a "make gdb" without a terminal
REPO = Path(__file__).resolve().parent.parent


def image_path(build_dir: Path, arch: str, boot: str = "kernel") -> Path:
    """The file that `make` builds for a boot of this kind."""
    name = "minnow.iso" if boot == "iso" else "minnow.elf"
    return Path(build_dir) / arch / name


def qemu_argv(arch: str, image: Path | str, *, boot: str = "kernel",
              cmdline: str | None = None, cpus: int = 1, mem: str = "128M",
              cpu: str = "max", accel: str = "tcg", serial: str = "stdio",
              debugcon: Path | str | None = None, icount: bool = False,
              gdb_port: int | None = None, binary: str | None = None,
              extra=()) -> list[str]:
    """qemu_argv: the QEMU command line that boots image.

    => boot "kernel": QEMU loads the ELF through multiboot 1, with cmdline
       as the kernel command line (-append); "iso": GRUB boots the CD
       image, whose grub.cfg holds the command line, so cmdline must be
       None or empty.
    => serial is a QEMU character device for COM1 ("stdio",
       "file:PATH"); TERMINAL ("mon:stdio") shares the terminal with the
       QEMU monitor.  Any other value turns the monitor off.
    => debugcon: a file that receives what the kernel writes to port 0xe9.
    => icount: -icount shift=0, so that rdtsc counts guest instructions.
    => gdb_port: start halted (-S) with a gdb stub on 127.0.0.1:gdb_port.
    => binary replaces qemu-system-ARCH (the runner's tests use a fake);
       extra is appended last, so it can add to or override the rest.
    Raises ValueError on an unknown arch or boot kind, or an ISO boot
    given a command line.
    """
    if arch not in QEMU_BINARIES:
        raise ValueError(f"arch {arch!r}: use i386 or x86_64")
    if boot not in ("kernel", "iso"):
        raise ValueError(f"boot {boot!r}: use kernel or iso")
    if boot == "iso" and cmdline:
        raise ValueError("an ISO boot takes its command line from the "
                         "ISO's grub.cfg (make iso CMDLINE=...), not -append")
    argv = [binary or QEMU_BINARIES[arch], "-accel", accel]
    if icount:
        argv += ["-icount", "shift=0"]
    argv += ["-cpu", cpu, "-smp", str(cpus), "-m", str(mem),
             "-no-reboot", "-display", "none"]
    if serial != TERMINAL:
        argv += ["-monitor", "none"]
    argv += ["-serial", serial]
    if debugcon is not None:
        argv += ["-debugcon", f"file:{debugcon}"]
    argv += ["-device", EXIT_DEVICE]
    if boot == "iso":
        argv += ["-cdrom", str(image), "-boot", "d"]
    else:
        argv += ["-kernel", str(image)]
        if cmdline:
            argv += ["-append", cmdline]
    if gdb_port is not None:
        argv += ["-S", "-gdb", f"tcp:127.0.0.1:{gdb_port}"]
    return argv + list(extra)


# ---------------------------------------------------------------- CLI
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="tests/qemu.py",
        description="Boot a Minnow kernel in QEMU (make run, make gdb).")
    p.add_argument("action", choices=("run", "gdb", "print"),
                   help="run: boot on this terminal; gdb: boot halted "
                   "under gdb; print: show the QEMU command line")
    p.add_argument("--arch", choices=sorted(QEMU_BINARIES), default="x86_64")
    p.add_argument("--boot", choices=("kernel", "iso"), default="kernel")
    p.add_argument("--cmdline", default="", help="kernel command line "
                   "(kernel boots only)")
    p.add_argument("--cpus", type=int, default=1)
    p.add_argument("--mem", default="128M")
    p.add_argument("--cpu", default="max", help="QEMU -cpu model")
    p.add_argument("--accel", choices=("tcg", "kvm"), default="tcg")
    p.add_argument("--extra", default="", help="more QEMU arguments, "
                   "one string split as the shell would")
    p.add_argument("--build-dir", type=Path, default=REPO / "build")
    p.add_argument("--gdb-port", type=int, default=1234)
    return p.parse_args(argv)


def cli_argv(args: argparse.Namespace, **more) -> list[str]:
    """qemu_argv() for the command-line options."""
    image = image_path(args.build_dir, args.arch, args.boot)
    return qemu_argv(args.arch, image, boot=args.boot,
                     cmdline=args.cmdline or None, cpus=args.cpus,
                     mem=args.mem, cpu=args.cpu, accel=args.accel,
                     extra=shlex.split(args.extra), **more)


def wait_quietly(proc: subprocess.Popen) -> int:
    """Wait for proc; a Ctrl-C meanwhile is the child's business."""
    old = signal.signal(signal.SIGINT, lambda signum, frame: None)
    try:
        return proc.wait()
    finally:
        signal.signal(signal.SIGINT, old)


def start(argv: list[str], **kwargs) -> subprocess.Popen:
    try:
        return subprocess.Popen(argv, **kwargs)
    except OSError as e:
        sys.exit(f"qemu.py: cannot run {argv[0]}: {e.strerror}")


def run(args: argparse.Namespace) -> int:
    """Boot on this terminal; exit 0 if the kernel finished well."""
    argv = cli_argv(args, serial=TERMINAL)
    cpus = f"{args.cpus} CPU" + ("s" if args.cpus != 1 else "")
    print(f"Booting {args.arch} ({args.boot}, {cpus}, {args.mem}); "
          f"quit with Ctrl-A X\n  {shlex.join(argv)}", flush=True)
    rc = wait_quietly(start(argv))
    if rc == EXIT_PASS:
        return 0
    if rc == EXIT_FAIL:
        print("qemu.py: the kernel reported a failure (QEMU exit 35)",
              file=sys.stderr)
        return 1
    if rc == 0:
        print("qemu.py: QEMU exited 0: quit with Ctrl-A X, or the kernel "
              "reset the machine (a triple fault, with -no-reboot)")
        return 0
    print(f"qemu.py: QEMU exited {rc}", file=sys.stderr)
    return rc if 0 < rc < 256 else 1


def check_port_free(port: int) -> None:
    """Exit with a clear line if another program listens on port."""
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            sys.exit(f"qemu.py: port {port} is in use (another QEMU or "
                     f"gdb?): choose another with make gdb GDBPORT=N")


def gdb_argv(elf: Path, port: int, interactive: bool) -> list[str]:
    """gdb with the kernel's symbols, connected and stopped at kmain.

    Without a terminal (a CI job), gdb runs to kmain, prints the
    backtrace and quits, which shows that debugging works.
    """
    argv = ["gdb", "-q", "-nx", "-ex", f"file {elf}",
            "-ex", f"target remote 127.0.0.1:{port}", "-ex", "break kmain"]
    if interactive:
        return argv + ["-ex", "echo Type 'continue' to boot; "
                       "'break FUNC' to stop elsewhere.\\n"]
    return argv + ["-batch", "-ex", "continue", "-ex", "backtrace"]


def gdb(args: argparse.Namespace) -> int:
    """Start QEMU halted with a gdb stub, then gdb; stop QEMU after gdb."""
    log = Path(args.build_dir) / args.arch / "gdb-serial.log"
    elf = image_path(args.build_dir, args.arch)
    interactive = sys.stdin.isatty()
    check_port_free(args.gdb_port)
    argv = cli_argv(args, serial=f"file:{log}", gdb_port=args.gdb_port)
    print(f"QEMU waits for gdb on port {args.gdb_port}; its console is "
          f"{log}\n  {shlex.join(argv)}", flush=True)
    if not interactive:
        print("stdin is not a terminal: gdb runs to kmain, prints the "
              "backtrace and quits", flush=True)
    # Its own session: a Ctrl-C typed to gdb must not reach QEMU.
    qemu = start(argv, stdin=subprocess.DEVNULL, start_new_session=True)
    debugger = start(gdb_argv(elf, args.gdb_port, interactive))
    timer = None
    if not interactive:     # a kernel that never reaches kmain
        timer = threading.Timer(GDB_BATCH_TIMEOUT, debugger.kill)
        timer.start()
    try:
        rc = wait_quietly(debugger)
    finally:
        if timer is not None:
            timer.cancel()
        qemu.kill()
        qemu.wait()
    return rc if rc >= 0 else 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if args.action == "print":
            print(shlex.join(cli_argv(args)))
            return 0
        return run(args) if args.action == "run" else gdb(args)
    except ValueError as e:
        print(f"qemu.py: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
