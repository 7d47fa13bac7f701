#!/usr/bin/env python3
"""Boot Minnow's self-tests in QEMU over a matrix of machines and judge them.

Usage (from the repository root; `make test` runs it after the build):

    python3 tests/run.py [options]

    --jobs N           boot N configurations at once (default: CPUs, min 1)
    --timeout SECONDS  limit for one boot, for every row (default: the
                       row's own timeout, else $TEST_TIMEOUT, else 60)
    --max-crashes N    boot a configuration again past at most N crashed
                       tests (default 8; 0: never boot again)
    --only PATTERN     run only configurations whose name matches the shell
                       pattern (fnmatch); repeat to run several
    --ktest FILTER     boot with ktest=FILTER (SUITE[,SUITE...] or
                       SUITE.TEST); ISO configurations are then skipped,
                       because their grub.cfg fixes the command line
    --list             print the matrix and exit
    -v, --verbose      print each configuration's serial logs when it ends
    --build-dir DIR    where the images are (default: build)

Environment: ACCEL=kvm boots with -accel kvm instead of TCG; TEST_TIMEOUT
sets the default timeout of rows that have none.

Each configuration of MATRIX_ROWS (below) boots once.  The kernel prints KTAP
version 1 on COM1 (saved as BUILD/test/NAME.log), names each test it starts
on the debug console port 0xe9 (BUILD/test/NAME.e9), and leaves QEMU through
isa-debug-exit: 33 when every test passed, 35 when one failed or the kernel
crashed.

Crash containment: when a test crashes the kernel (panic, fatal trap: the
kernel's "Bail out! SUITE.TEST crashed: ..." line) or hangs in it (timeout,
triple fault: the test port 0xe9 names last), the runner counts that test
failed and boots the configuration again with ktest.after=SUITE.TEST,
logging to NAME.2.log, NAME.3.log, ...  The boots' results are merged
(the crashed test counted once, its crash report as its diagnostics) and
saved as one well-formed KTAP document, BUILD/test/NAME.ktap, which
kunit.py parse and prove read.  ISO rows cannot be booted again that way.

The runner prints one line per configuration as it finishes, the
reasons for each failure, a matrix line and a last line
"N passed, N failed[, N skipped]" counting tests over the whole matrix.

Exit status: 0 when every configuration passed, 1 when one failed, 2 when
the run could not start (missing image or QEMU, bad option).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import fnmatch
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import qemu     # noqa: E402  tests/qemu.py: the one QEMU command-line builder
from ktap import (CRASH_LINES, CRASHED, SUITE_SUMMARY_RE, Crash,  # noqa: E402
                  KtapReport, clean_line, crash_point, format_ktap,
                  merge_reports, parse_ktap, runs_after)

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
QEMU_PACKAGE = "qemu-system-x86"
EXIT_PASS = 33          # isa-debug-exit: (0x10 << 1) | 1
EXIT_FAIL = 35          # isa-debug-exit: (0x11 << 1) | 1
DEFAULT_TIMEOUT = 60.0
REPO = Path(__file__).resolve().parent.parent

DIAG_LINES = 10         # diagnostics shown before each "not ok"
TAIL_LINES = 20         # log lines shown when there is no KTAP to explain
MAX_CRASHES = 8         # boots again after at most this many crashes


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
@dataclass
class RunInfo:
    """How one QEMU run ended."""
    rc: int | None                  # None after a timeout
    timed_out: bool
    elapsed: float
    output: str                     # QEMU's own stdout and stderr
    last_started: str | None        # last "start SUITE.TEST" on port 0xe9
    log_path: str
    e9_path: str
    timeout: float


@dataclass
class Verdict:
    """The judgement on one configuration, ready to print."""
    name: str
    status: str                     # PASS, FAIL or SKIP
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    elapsed: float = 0.0
    headline: str = ""
    details: list[str] = field(default_factory=list)
    log_path: str = ""              # the first boot's serial log
    log_paths: list[str] = field(default_factory=list)  # every boot's
    ktap_path: str = ""             # the merged KTAP, if any


_live: set[subprocess.Popen] = set()
_live_lock = threading.Lock()


def qemu_command(cfg: Config, build_dir: Path, log_dir: Path, accel: str,
                 ktest: str | None) -> list[str]:
    """The QEMU command line of cfg's first boot, with logs in log_dir."""
    return boot_command(cfg, build_dir, log_dir, accel, ktest, None,
                        log_dir / (cfg.name + ".log"),
                        log_dir / (cfg.name + ".e9"))


def run_process(cmd: list[str],
                timeout: float) -> tuple[int | None, str, float]:
    """Run cmd; return (exit code or None on timeout, output, seconds)."""
    start = time.monotonic()
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
    except OSError as e:
        return 1, f"cannot run {cmd[0]}: {e}", time.monotonic() - start
    with _live_lock:
        _live.add(proc)
    try:
        out, _ = proc.communicate(timeout=timeout)
        rc = proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        rc = None
    finally:
        with _live_lock:
            _live.discard(proc)
    return rc, out.decode(errors="replace"), time.monotonic() - start


def kill_running() -> None:
    """Kill every QEMU this runner still has running (on Ctrl-C)."""
    with _live_lock:
        for proc in _live:
            proc.kill()


def read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode(errors="replace")
    except OSError:
        return ""


def last_started_test(e9_text: str) -> str | None:
    """The SUITE.TEST of the last "start SUITE.TEST" line, if any."""
    last = None
    for line in e9_text.splitlines():
        if line.startswith("start "):
            last = line[len("start "):].strip() or last
    return last


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
        binary=QEMU_BINARIES[cfg.arch], extra=cfg.extra)


@dataclass
class Boot:
    """One QEMU run of a configuration, parsed."""
    after: str | None               # its ktest.after=, None the first time
    log_text: str
    run: RunInfo
    note: str = ""                  # why no boot follows its crash
    report: KtapReport = field(init=False)
    crash: Crash | None = field(init=False)   # the test it died in

    def __post_init__(self) -> None:
        self.report = parse_ktap(self.log_text)
        stopped = qemu_reasons(self.report, self.run)
        self.crash = crash_point(self.report, self.run.last_started,
                                 stopped[0][0] if stopped else None)


def boot_once(cfg: Config, build_dir: Path, log_dir: Path, accel: str,
              ktest: str | None, timeout: float, after: str | None,
              number: int) -> Boot:
    """Boot cfg once; the first boot logs to NAME.log, boot k to NAME.k.log."""
    stem = cfg.name if number == 1 else f"{cfg.name}.{number}"
    log, e9 = log_dir / f"{stem}.log", log_dir / f"{stem}.e9"
    for stale in (log, e9):
        stale.unlink(missing_ok=True)
    cmd = boot_command(cfg, build_dir, log_dir, accel, ktest, after, log, e9)
    rc, output, elapsed = run_process(cmd, timeout)
    run = RunInfo(rc, rc is None, elapsed, output,
                  last_started_test(read_text(e9)),
                  display_path(log), display_path(e9), timeout)
    return Boot(after, read_text(log), run)


def why_not_again(cfg: Config, boots: list[Boot],
                  max_crashes: int) -> str | None:
    """Why the last boot, which crashed in a test, is not followed by
    another: a reason to print, "" when no test is left, None to go on."""
    boot, crashes = boots[-1], len(boots)
    if boot.crash.test in (b.crash.test for b in boots[:-1]):
        return (f"not booted again: it crashed in {boot.crash.test} again, "
                f"although booted with ktest.after={boot.after}")
    if cfg.boot == "iso":
        return ("not booted again past the crash: the ISO's grub.cfg "
                "fixes the command line")
    if crashes > max_crashes:
        return (f"not booted again past the crash: --max-crashes "
                f"{max_crashes} reached")
    if not runs_after(boot.report, boot.crash):
        return ""                   # it was the last test: nothing to do
    return None


def boot_config(cfg: Config, build_dir: Path, log_dir: Path, accel: str,
                ktest: str | None, timeout: float,
                max_crashes: int = MAX_CRASHES) -> Verdict:
    """Boot one configuration and judge it.  When a test crashes the
    kernel, boot again starting after that test (ktest.after=), so that
    one crash does not hide every later test."""
    for stale in log_dir.glob(f"{glob_escape(cfg.name)}.*"):
        stale.unlink(missing_ok=True)
    boots = [boot_once(cfg, build_dir, log_dir, accel, ktest, timeout,
                       None, 1)]
    while boots[-1].crash is not None:
        note = why_not_again(cfg, boots, max_crashes)
        if note is not None:
            boots[-1].note = note
            break
        boots.append(boot_once(cfg, build_dir, log_dir, accel, ktest,
                               timeout, boots[-1].crash.test,
                               len(boots) + 1))
    verdict = judge_boots(cfg.name, boots)
    merged = merge_reports([(b.report, b.crash) for b in boots])
    if merged.started:
        ktap_path = log_dir / f"{cfg.name}.ktap"
        ktap_path.write_text(format_ktap(merged))
        verdict.ktap_path = display_path(ktap_path)
    verdict.log_paths = [b.run.log_path for b in boots]
    return verdict


def glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


# ---------------------------------------------------------------- verdicts
# Each *_reasons() function returns [(headline, detail lines)].  The details
# are printed in log order; the headline, on the configuration's line, is
# the likely cause: QEMU's end, then a crash, then the first failed test.

def last_test_ended(report: KtapReport, run: RunInfo) -> bool:
    """Did the last test started (per port 0xe9) print its result?"""
    suite, _, name = (run.last_started or "").partition(".")
    return report.find_test(suite, name) is not None


def where_hung(report: KtapReport, run: RunInfo) -> str:
    """'last test started: X (from F)', noting if X had already ended."""
    last = run.last_started or "none"
    text = f"last test started: {last} (from {run.e9_path})"
    if last_test_ended(report, run):
        text += "; it had printed its result"
    return text


def qemu_reasons(report: KtapReport, run: RunInfo) -> list:
    if run.timed_out:
        where = f" in {run.last_started}" if run.last_started else ""
        if last_test_ended(report, run):
            where = f" after {run.last_started}"
        return [(f"timeout after {run.timeout:g}s{where}",
                 [f"timeout after {run.timeout:g}s; "
                  + where_hung(report, run)])]
    if run.rc == 0:
        return [("triple fault / reset",
                 ["triple fault / reset (QEMU exit 0 with -no-reboot); "
                  + where_hung(report, run)])]
    if run.rc == 1:
        tail = [line for line in run.output.splitlines() if line.strip()]
        first = tail[-1].strip() if tail else "no message"
        return [(f"QEMU error: {first}",
                 ["QEMU error (exit 1):"] + ["  " + line
                                             for line in tail[-10:]])]
    if run.rc not in (EXIT_PASS, EXIT_FAIL):
        what = (f"QEMU killed by signal {-run.rc}" if run.rc < 0
                else f"unexpected QEMU exit code {run.rc}")
        return [(what, [f"{what}; " + where_hung(report, run)])]
    return []


def crash_reasons(report: KtapReport) -> list:
    if report.bail_out is None:
        return []
    # The kernel's reasons first, e.g. '# ktest: no test matches "x"'.
    lines = [d for d in report.top_diagnostics
             if not SUITE_SUMMARY_RE.match(d)]
    lines.append(f"Bail out! {report.bail_out}")
    lines += ["  " + line for line in report.crash_lines]
    return [(f"Bail out! {report.bail_out}", lines)]


def test_failure_reasons(report: KtapReport) -> list:
    reasons = []
    for suite, test in report.failures():
        lines = [f"{suite.name}: {test.line()}"]
        diags = test.diagnostics
        cap = DIAG_LINES
        if any(d.startswith(CRASHED) for d in diags):
            cap += CRASH_LINES      # the crash report, as diagnostics
        lines += ["    " + d for d in diags[:cap]]
        if len(diags) > cap:
            lines.append(f"    ... {len(diags) - cap} more lines")
        reasons.append((f"{suite.name}: {test.line()}", lines))
    return reasons


def structure_reasons(report: KtapReport, log_text: str,
                      cut_short: bool) -> list:
    """Malformed KTAP; unmet plans too unless a crash or stop explains them."""
    if not report.started:
        tail = [clean_line(line) for line in log_text.splitlines()]
        tail = [line for line in tail if line][-TAIL_LINES:]
        return [("no KTAP output",
                 ["no KTAP output; the log ends with:" if tail
                  else "no KTAP output; the log is empty"]
                 + ["  " + line for line in tail])]
    found = report.problems + ([] if cut_short else report.shortfalls)
    return [(p, [p]) for p in found]


def exit_code_reasons(report: KtapReport, run: RunInfo) -> list:
    if run.rc == EXIT_FAIL and report.failed == 0 and not report.bail_out:
        notes = [d for d in report.top_diagnostics
                 if not SUITE_SUMMARY_RE.match(d)]
        notes += report.stray_lines[:CRASH_LINES]
        return [("kernel reported failure",
                 ["kernel reported failure (exit 35) but no test failed"]
                 + ["  " + line for line in notes])]
    if run.rc == EXIT_PASS and not report.clean:
        return [("exit 33 despite failures",
                 ["kernel exited 33 (pass) but the log shows failures"])]
    return []


def tagged(reasons: list, tag: str) -> list:
    """Prefix each detail line with the boot it comes from."""
    return [(h, [tag + line for line in lines]) for h, lines in reasons]


def resumed(report: KtapReport, after: str) -> bool:
    """Did a boot with ktest.after=X start after X, as it must say?"""
    return (not report.started or report.plan == 0
            or f"# ktest: starting after {after}" in report.top_diagnostics)


def boot_reasons(boots: list[Boot]) -> tuple[list, ...]:
    """(stopped, crashed, others, notes, heads) over every boot of a
    config, each in boot order; heads: each boot's likely cause.

    A crash in a test is shown as that test's failure, its report as the
    test's diagnostics: here it keeps only its headline.
    """
    stopped, crashed, others, notes, heads = [], [], [], [], []
    for i, b in enumerate(boots):
        tag = f"[boot {i + 1}] " if len(boots) > 1 else ""
        stop = qemu_reasons(b.report, b.run)
        crash = crash_reasons(b.report)
        cut = bool(stop or crash)
        if b.crash is not None:
            crash = [(head, []) for head, _ in crash]
        stopped += tagged(stop, tag)
        crashed += crash
        heads += (stop + crash)[:1]
        others += tagged(structure_reasons(b.report, b.log_text, cut)
                         + exit_code_reasons(b.report, b.run), tag)
        if b.after is not None and not resumed(b.report, b.after):
            others.append((f"ignored ktest.after={b.after}",
                           [f"{tag}the kernel ignored ktest.after={b.after}"
                            " (no \"# ktest: starting after\" line)"]))
        if i + 1 < len(boots):
            notes.append(f"{tag}crashed in {b.crash.test}: booted again "
                         f"with ktest.after={b.crash.test}")
        elif b.note:
            notes.append(tag + b.note)
    return stopped, crashed, others, notes, heads


def judge_boots(name: str, boots: list[Boot]) -> Verdict:
    """Judge a configuration from its boots: the first, and one more
    after each test that crashed the kernel.  Tests are counted on the
    merged report, where a crashed test counts once, as failed."""
    merged = merge_reports([(b.report, b.crash) for b in boots])
    stopped, crashed, others, notes, heads = boot_reasons(boots)
    failures = test_failure_reasons(merged)
    reasons = stopped + failures + crashed + others    # in log order
    first = (heads + failures + others)[:1]     # the likely cause
    verdict = Verdict(name, "FAIL" if reasons else "PASS", merged.passed,
                      merged.failed, merged.skipped,
                      sum(b.run.elapsed for b in boots),
                      log_path=boots[0].run.log_path)
    if reasons:
        verdict.failed = max(verdict.failed, 1)
        verdict.headline = first[0][0]
        if len(boots) > 1:
            verdict.headline += f" (+{len(boots) - 1} more boots)"
        verdict.details = [line for _, lines in reasons for line in lines]
        verdict.details += notes
        verdict.details.append("log: " + ", ".join(b.run.log_path
                                                   for b in boots))
    return verdict


def judge(name: str, log_text: str, run: RunInfo) -> Verdict:
    """Judge one boot from its serial log and the way QEMU ended."""
    return judge_boots(name, [Boot(None, log_text, run)])


# ---------------------------------------------------------------- output
COUNTS_WIDTH = 30


def display_path(path: Path | str) -> str:
    """path relative to the current directory when it is below it."""
    rel = os.path.relpath(path)
    return str(path) if rel.startswith("..") else rel


def format_counts(passed: int, failed: int, skipped: int) -> str:
    return f"{passed} passed, {failed} failed, {skipped} skipped"


def format_verdict(v: Verdict, width: int) -> list[str]:
    """The configuration's line, then its indented failure details."""
    if v.status == "SKIP":
        return [f"SKIP  {v.name:<{width}}   {v.headline}"]
    counts = format_counts(v.passed, v.failed, v.skipped)
    line = (f"{v.status:<4}  {v.name:<{width}}   {counts:<{COUNTS_WIDTH}}"
            f" {v.elapsed:6.2f}s")
    if v.headline:
        line += f"  ({v.headline})"
    return [line] + ["      " + d for d in v.details]


def format_log(name: str, path: str, log_text: str) -> list[str]:
    """The --verbose dump of a serial log, without terminal escapes."""
    return ([f"----- {name}: {path} -----"]
            + [clean_line(line) for line in log_text.splitlines()]
            + [f"----- end of {name} -----"])


def format_summary(verdicts: list[Verdict], wall: float) -> list[str]:
    """The matrix line and the final test-count line."""
    ran = [v for v in verdicts if v.status != "SKIP"]
    npass = sum(v.status == "PASS" for v in ran)
    plural = "s" if len(verdicts) != 1 else ""
    matrix = (f"matrix: {len(verdicts)} configuration{plural}, "
              f"{npass} passed, {len(ran) - npass} failed")
    if len(ran) != len(verdicts):
        matrix += f", {len(verdicts) - len(ran)} skipped"
    tests = (f"{sum(v.passed for v in ran)} passed, "
             f"{sum(v.failed for v in ran)} failed")
    skipped = sum(v.skipped for v in ran)
    if skipped:
        tests += f", {skipped} skipped"
    return [f"{matrix}, {wall:.1f}s wall", tests]


def print_lines(lines: list[str]) -> None:
    print("\n".join(lines), flush=True)


# ---------------------------------------------------------------- CLI
def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def default_timeout() -> float:
    value = os.environ.get("TEST_TIMEOUT", "")
    try:
        return float(value) if value else DEFAULT_TIMEOUT
    except ValueError:
        sys.exit(f"run.py: TEST_TIMEOUT={value!r} is not a number of seconds")


def positive(kind):
    def convert(text: str):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text} is not positive")
        return value
    return convert


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="tests/run.py", description="Boot the Minnow test matrix in "
        "QEMU and check the kernel's KTAP output.")
    p.add_argument("--jobs", "-j", type=positive(int), default=default_jobs(),
                   help="configurations booted at once (default: CPUs)")
    p.add_argument("--timeout", type=positive(float), metavar="SECONDS",
                   help="limit per boot, for every row (default: the "
                   "row's own, else $TEST_TIMEOUT, else 60)")
    p.add_argument("--max-crashes", type=int, default=MAX_CRASHES,
                   metavar="N", help="boot a configuration again past at "
                   f"most N crashed tests (default {MAX_CRASHES}; 0: never)")
    p.add_argument("--only", action="append", metavar="PATTERN",
                   help="run configurations matching this fnmatch pattern "
                   "(repeatable)")
    p.add_argument("--ktest", metavar="FILTER",
                   help="boot with ktest=FILTER (SUITE[,SUITE...] or "
                   "SUITE.TEST); skips ISO configurations")
    p.add_argument("--list", action="store_true", help="print the matrix")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="print each serial log when its boot ends")
    p.add_argument("--build-dir", type=Path, default=REPO / "build",
                   metavar="DIR", help="where the images are (default: build)")
    return p.parse_args(argv)


def accel_from_env() -> str:
    accel = os.environ.get("ACCEL", "") or "tcg"
    if accel not in ("tcg", "kvm"):
        sys.exit(f"run.py: ACCEL={accel} is not valid: use tcg or kvm")
    return accel


def select_configs(matrix: dict[str, Config],
                   patterns: list[str] | None) -> list[Config]:
    """The configurations matching any pattern (all if none), in order."""
    if not patterns:
        return list(matrix.values())
    chosen = [c for c in matrix.values()
              if any(fnmatch.fnmatchcase(c.name, p) for p in patterns)]
    if not chosen:
        print(f"run.py: no configuration matches {' '.join(patterns)}; "
              f"see --list", file=sys.stderr)
        sys.exit(2)
    return chosen


def format_matrix(configs: list[Config], build_dir: Path) -> list[str]:
    width = max(len(c.name) for c in configs)
    cpuw = max([3] + [len(c.cpu) for c in configs])
    lines = [f"{'name':<{width}}  arch    boot    cpus  mem   "
             f"{'cpu':<{cpuw}}  image"]
    for c in configs:
        extra = "  " + " ".join(c.extra) if c.extra else ""
        if c.cmdline:
            extra += f"  -append +'{c.cmdline}'"
        if c.ktest is not None:
            extra += f"  ktest={c.ktest}"
        if c.timeout is not None:
            extra += f"  timeout {c.timeout:g}s"
        lines.append(f"{c.name:<{width}}  {c.arch:<6}  {c.boot:<6}  "
                     f"{c.cpus:<4}  {c.mem:<4}  {c.cpu:<{cpuw}}  "
                     f"{display_path(c.image(build_dir))}{extra}")
    return lines


def make_target_hint(image: Path, build_dir: Path) -> str:
    """The make command that builds image."""
    rel = os.path.relpath(build_dir, REPO)
    target = os.path.relpath(image, REPO)
    if rel == "build":
        return f"make {target}"
    return f"make B={rel} {target}"


def check_images(configs: list[Config], build_dir: Path) -> None:
    """Exit 2 naming the make target of each missing image."""
    missing = sorted({c.image(build_dir) for c in configs
                      if not c.image(build_dir).is_file()})
    for image in missing:
        print(f"run.py: {display_path(image)} is missing; build it with: "
              f"{make_target_hint(image, build_dir)}", file=sys.stderr)
    if missing:
        sys.exit(2)


def check_qemu(configs: list[Config]) -> None:
    """Exit 2 with one line when a QEMU binary is not installed."""
    missing = sorted({QEMU_BINARIES[c.arch] for c in configs
                      if shutil.which(QEMU_BINARIES[c.arch]) is None})
    if missing:
        print(f"run.py: {' and '.join(missing)} not found: install the "
              f"Debian package {QEMU_PACKAGE} (apt-get install "
              f"{QEMU_PACKAGE})", file=sys.stderr)
        sys.exit(2)


def split_skipped(configs: list[Config],
                  ktest: str | None) -> tuple[list[Config], list[Verdict]]:
    """ISO boots cannot take --ktest: set them aside as SKIP verdicts."""
    if ktest is None:
        return configs, []
    note = ("not run: --ktest needs -append, and the ISO's grub.cfg fixes "
            "its command line")
    skipped = [Verdict(c.name, "SKIP", headline=note)
               for c in configs if c.boot == "iso"]
    return [c for c in configs if c.boot != "iso"], skipped


def run_matrix(configs: list[Config], args: argparse.Namespace, accel: str,
               width: int) -> list[Verdict]:
    """Boot configs on a thread pool, printing each verdict as it ends."""
    log_dir = args.build_dir / "test"
    log_dir.mkdir(parents=True, exist_ok=True)
    verdicts = []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(boot_config, c, args.build_dir, log_dir,
                               accel, args.ktest, boot_timeout(c, args),
                               args.max_crashes)
                   for c in configs]
        try:
            for future in concurrent.futures.as_completed(futures):
                verdict = future.result()
                verdicts.append(verdict)
                report_verdict(verdict, width, args.verbose)
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            kill_running()
            raise
    return verdicts


def boot_timeout(cfg: Config, args: argparse.Namespace) -> float:
    """--timeout if given, else the row's own, else $TEST_TIMEOUT or 60."""
    if args.timeout is not None:
        return args.timeout
    return cfg.timeout if cfg.timeout is not None else default_timeout()


def report_verdict(verdict: Verdict, width: int, verbose: bool) -> None:
    print_lines(format_verdict(verdict, width))
    if not verbose:
        return
    for path in verdict.log_paths or [verdict.log_path]:
        print_lines(format_log(verdict.name, path, read_text(Path(path))))
    if len(verdict.log_paths) > 1 and verdict.ktap_path:
        print_lines(format_log(verdict.name, verdict.ktap_path + " (merged)",
                               read_text(Path(verdict.ktap_path))))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    accel = accel_from_env()
    configs = select_configs(build_matrix(), args.only)
    if args.list:
        print_lines(format_matrix(configs, args.build_dir))
        return 0
    width = max(len(c.name) for c in configs)
    to_run, skipped = split_skipped(configs, args.ktest)
    if not to_run:
        print("run.py: nothing to run: --ktest skips every selected ISO "
              "configuration", file=sys.stderr)
        return 2
    check_images(to_run, args.build_dir)
    check_qemu(to_run)
    for verdict in skipped:
        print_lines(format_verdict(verdict, width))
    start = time.monotonic()
    try:
        verdicts = skipped + run_matrix(to_run, args, accel, width)
    except KeyboardInterrupt:
        print("run.py: interrupted", file=sys.stderr)
        return 130
    print_lines(format_summary(verdicts, time.monotonic() - start))
    return 0 if all(v.status != "FAIL" for v in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
