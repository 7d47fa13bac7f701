"""The test matrix of tests/run.py: its rows and their QEMU command lines.

MATRIX_ROWS lists the machines `make test` boots; build_matrix() checks
the rows and turns them into Config objects.  kernel_cmdline() and
boot_command() say how one boot of a row is started: the kernel's
command line (ktest filter, ncpus, the row's options, ktest.after= when
booting again past a crash) and the QEMU argv, through tests/qemu.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import qemu     # tests/qemu.py: the one QEMU command-line builder

# ---------------------------------------------------------------- matrix
# One row per QEMU configuration; the name is its key and must be unique.
# Add a row to test another machine.  Columns:
#   name    key, used by --only and for the log files BUILD/test/NAME.log
#   arch    i386 | x86_64 (picks qemu-system-ARCH and BUILD/ARCH/)
#   boot    kernel: -kernel BUILD/ARCH/minnow.elf
#                   -append "ktest[=FILTER] ncpus=CPUS [CMDLINE]" (the smp
#                   suite checks the CPU count against ncpus)
#           iso:    -cdrom BUILD/ARCH/minnow-test.iso (grub.cfg says ktest)
#   cpus    -smp
#   mem     -m
#   cpu     -cpu model ("max" unless a row needs something else)
#   extra   further QEMU arguments, a list of strings
#   opts    optional: a dict with any of
#             "cmdline": more kernel options, e.g. "quickmap=slot sfbuf=map"
#                        (kernel rows only: an ISO's grub.cfg fixes its own)
#             "timeout": seconds for one boot of this row, when --timeout
#                        is not given (a slow row: many CPUs, much RAM)
#             "ktest":   the row's own filter when --ktest is not given, for
#                        a row that is too slow for every suite (16 CPUs)
MATRIX_ROWS = [
    # name               arch      boot      cpus  mem     cpu    extra
    ("i386-1cpu-128M",   "i386",   "kernel", 1,    "128M", "max", []),
    ("x86_64-1cpu-128M", "x86_64", "kernel", 1,    "128M", "max", []),
    ("i386-iso-128M",    "i386",   "iso",    1,    "128M", "max", []),
    ("x86_64-iso-128M",  "x86_64", "iso",    1,    "128M", "max", []),
    ("i386-1cpu-16M",    "i386",   "kernel", 1,    "16M",  "max", []),
    # The least RAM the kernels boot with (VM_MIN_RAM_MB): every test fits.
    ("i386-1cpu-4M",     "i386",   "kernel", 1,    "4M",   "max", []),
    ("x86_64-1cpu-4M",   "x86_64", "kernel", 1,    "4M",   "max", []),
    # Most of 3 GiB is never permanently mapped on i386 (no direct map).
    ("i386-1cpu-3G",     "i386",   "kernel", 1,    "3G",   "max", []),
    # RAM above 4 GiB is handed out and written through the direct map.
    ("x86_64-1cpu-6G",   "x86_64", "kernel", 1,    "6G",   "max", []),
    # qemu64 has no 1 GiB pages: the direct map uses 2 MiB pages.
    ("x86_64-qemu64-128M", "x86_64", "kernel", 1,  "128M", "qemu64", []),
    # SMP: APs started through the trampoline, IPIs, per-CPU timers.
    ("i386-2cpu-128M",   "i386",   "kernel", 2,    "128M", "max", []),
    ("i386-4cpu-128M",   "i386",   "kernel", 4,    "128M", "max", []),
    ("x86_64-2cpu-128M", "x86_64", "kernel", 2,    "128M", "max", []),
    ("x86_64-4cpu-128M", "x86_64", "kernel", 4,    "128M", "max", []),
    ("x86_64-8cpu-256M", "x86_64", "kernel", 8,    "256M", "max", []),
    # No ACPI: the CPUs come from the MP table (kernel/x86/mptable.c).
    ("x86_64-noacpi-2cpu", "x86_64", "kernel", 2,  "128M", "max",
     ["-no-acpi"]),
    # Many CPUs: placement and wakeups across 16 (every suite would take
    # over a minute on two host cores, so only the ones about CPUs).
    ("i386-16cpu-256M",  "i386",   "kernel", 16,   "256M", "max", [],
     {"ktest": "smp.ncpus_matches_firmware_and_hint,sched,sleep",
      "timeout": 120}),
    ("x86_64-16cpu-256M", "x86_64", "kernel", 16,  "256M", "max", [],
     {"ktest": "smp.ncpus_matches_firmware_and_hint,sched,sleep",
      "timeout": 120}),
    # sf_buf's pool and quick-map slots with most RAM never mapped, on SMP.
    ("i386-4cpu-3G",     "i386",   "kernel", 4,    "3G",   "max", []),
    # x86_64 on the paths i386 takes: quick-map slots and the sf_buf pool
    # (a small one, set on the command line).
    ("x86_64-4cpu-slot-map", "x86_64", "kernel", 4, "128M", "max", [],
     {"cmdline": "quickmap=slot sfbuf=map nsfbufs=64"}),
]

ARCHS = ("i386", "x86_64")
QEMU_BINARIES = dict(qemu.QEMU_BINARIES)


@dataclass(frozen=True)
class Config:
    """One row of the matrix."""
    name: str
    arch: str
    boot: str
    cpus: int
    mem: str
    cpu: str = "max"
    extra: tuple = ()
    cmdline: str = ""               # more kernel options for this row
    timeout: float | None = None    # this row's limit per boot
    ktest: str | None = None        # this row's filter without --ktest

    def image(self, build_dir: Path) -> Path:
        """The file QEMU boots for this configuration."""
        if self.boot == "iso":
            return build_dir / self.arch / "minnow-test.iso"
        return build_dir / self.arch / "minnow.elf"


ROW_OPTIONS = ("cmdline", "timeout", "ktest")


def build_matrix(rows=None) -> dict[str, Config]:
    """Turn MATRIX_ROWS into {name: Config}, checking each row."""
    matrix: dict[str, Config] = {}
    for row in rows or MATRIX_ROWS:
        name, arch, boot, cpus, mem, cpu, extra = row[:7]
        opts = row[7] if len(row) == 8 else {}
        if len(row) not in (7, 8) or not isinstance(opts, dict):
            raise ValueError(f"matrix: row {name}: 7 columns and an "
                             f"optional dict of options")
        if name in matrix:
            raise ValueError(f"matrix: duplicate configuration {name}")
        if arch not in ARCHS or boot not in ("kernel", "iso"):
            raise ValueError(f"matrix: bad arch or boot in row {name}")
        unknown = sorted(set(opts) - set(ROW_OPTIONS))
        if unknown:
            raise ValueError(f"matrix: row {name}: unknown option "
                             f"{', '.join(unknown)}; known: "
                             f"{', '.join(ROW_OPTIONS)}")
        if boot == "iso" and (opts.get("cmdline") or "ktest" in opts):
            raise ValueError(f"matrix: row {name}: an ISO row cannot take "
                             f"a cmdline or ktest (its grub.cfg fixes them)")
        timeout = opts.get("timeout")
        if timeout is not None and not (isinstance(timeout, (int, float))
                                        and timeout > 0):
            raise ValueError(f"matrix: row {name}: timeout must be a "
                             f"positive number of seconds")
        matrix[name] = Config(name, arch, boot, cpus, mem, cpu or "max",
                              tuple(extra), opts.get("cmdline", ""),
                              timeout, opts.get("ktest"))
    return matrix


# ---------------------------------------------------------------- QEMU
def qemu_binary(arch: str) -> str:
    """The qemu-system-* program for arch (read at each call, so that
    tests can replace QEMU_BINARIES)."""
    return QEMU_BINARIES[arch]


def kernel_cmdline(cfg: Config, ktest: str | None, after: str | None) -> str:
    """-append for a kernel row: ktest[=FILTER] ncpus=N, the row's own
    options, and ktest.after=SUITE.TEST when booting again past a crash.
    Without a filter of its own (--ktest), a row runs its "ktest" option."""
    if ktest is None:
        ktest = cfg.ktest
    words = ["ktest" if ktest is None else f"ktest={ktest}",
             f"ncpus={cfg.cpus}"]
    words += cfg.cmdline.split()
    if after is not None:
        words.append(f"ktest.after={after}")
    return " ".join(words)


def boot_command(cfg: Config, build_dir: Path, log_dir: Path, accel: str,
                 ktest: str | None, after: str | None, log: Path,
                 e9: Path) -> list[str]:
    """One boot of cfg through tests/qemu.py: serial log and port 0xe9 in
    the given files and (kernel rows) the command line of kernel_cmdline();
    an ISO row's command line is the test ISO's grub.cfg."""
    cmdline = None if cfg.boot == "iso" else kernel_cmdline(cfg, ktest, after)
    return qemu.qemu_argv(
        cfg.arch, cfg.image(build_dir), boot=cfg.boot, cmdline=cmdline,
        cpus=cfg.cpus, mem=cfg.mem, cpu=cfg.cpu, accel=accel,
        serial=f"file:{log}", debugcon=e9,
        binary=qemu_binary(cfg.arch), extra=cfg.extra)


def qemu_command(cfg: Config, build_dir: Path, log_dir: Path, accel: str,
                 ktest: str | None) -> list[str]:
    """The QEMU command line of cfg's first boot, with logs in log_dir."""
    return boot_command(cfg, build_dir, log_dir, accel, ktest, None,
                        log_dir / (cfg.name + ".log"),
                        log_dir / (cfg.name + ".e9"))
