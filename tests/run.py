#!/usr/bin/env python3
"""Boot Minnow's self-tests in QEMU over a matrix of machines and judge them.

Usage (from the repository root; `make test` runs it after the build):

    python3 tests/run.py [options]

    --jobs N           boot N configurations at once (default: CPUs, min 1)
    --timeout SECONDS  limit for one boot (default $TEST_TIMEOUT, else 60)
    --only PATTERN     run only configurations whose name matches the shell
                       pattern (fnmatch); repeat to run several
    --ktest FILTER     boot with ktest=FILTER (SUITE[,SUITE...] or
                       SUITE.TEST); ISO configurations are then skipped,
                       because their grub.cfg fixes the command line
    --list             print the matrix and exit
    -v, --verbose      print each configuration's serial log when it ends
    --build-dir DIR    where the images are (default: build)

Environment: ACCEL=kvm boots with -accel kvm instead of TCG; TEST_TIMEOUT
sets the default --timeout.

Each configuration of MATRIX_ROWS (below) boots once.  The kernel prints KTAP
version 1 on COM1 (saved as BUILD/test/NAME.log), names each test it starts
on the debug console port 0xe9 (BUILD/test/NAME.e9), and leaves QEMU through
isa-debug-exit: 33 when every test passed, 35 when one failed or the kernel
crashed.  The runner prints one line per configuration as it finishes, the
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
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

# ---------------------------------------------------------------- matrix
# One row per QEMU configuration; the name is its key and must be unique.
# Add a row to test another machine.  Columns:
#   name    key, used by --only and for the log files BUILD/test/NAME.log
#   arch    i386 | x86_64 (picks qemu-system-ARCH and BUILD/ARCH/)
#   boot    kernel: -kernel BUILD/ARCH/minnow.elf
#                   -append "ktest[=FILTER] ncpus=CPUS" (the smp suite
#                   checks the CPU count against ncpus)
#           iso:    -cdrom BUILD/ARCH/minnow-test.iso (grub.cfg says ktest)
#   cpus    -smp
#   mem     -m
#   cpu     -cpu model ("max" unless a row needs something else)
#   extra   further QEMU arguments, a list of strings
#   cmdline (optional 8th column) more kernel options for -append
MATRIX_ROWS = [
    # name               arch      boot      cpus  mem     cpu    extra
    ("i386-1cpu-128M",   "i386",   "kernel", 1,    "128M", "max", []),
    ("x86_64-1cpu-128M", "x86_64", "kernel", 1,    "128M", "max", []),
    ("i386-iso-128M",    "i386",   "iso",    1,    "128M", "max", []),
    ("x86_64-iso-128M",  "x86_64", "iso",    1,    "128M", "max", []),
    ("i386-1cpu-16M",    "i386",   "kernel", 1,    "16M",  "max", []),
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
    # sf_buf's pool and quick-map slots with most RAM never mapped, on SMP.
    ("i386-4cpu-3G",     "i386",   "kernel", 4,    "3G",   "max", []),
    # x86_64 on the paths i386 takes: quick-map slots and the sf_buf pool
    # (a small one, set on the command line).
    ("x86_64-4cpu-slot-map", "x86_64", "kernel", 4, "128M", "max", [],
     "quickmap=slot sfbuf=map nsfbufs=64"),
]

ARCHS = ("i386", "x86_64")
QEMU_BINARIES = {"i386": "qemu-system-i386", "x86_64": "qemu-system-x86_64"}
QEMU_PACKAGE = "qemu-system-x86"
EXIT_PASS = 33          # isa-debug-exit: (0x10 << 1) | 1
EXIT_FAIL = 35          # isa-debug-exit: (0x11 << 1) | 1
DEFAULT_TIMEOUT = 60.0
REPO = Path(__file__).resolve().parent.parent

DIAG_LINES = 10         # diagnostics shown before each "not ok"
CRASH_LINES = 30        # crash report lines kept after "Bail out!"
TAIL_LINES = 20         # log lines shown when there is no KTAP to explain


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
    cmdline: str = ""

    def image(self, build_dir: Path) -> Path:
        """The file QEMU boots for this configuration."""
        if self.boot == "iso":
            return build_dir / self.arch / "minnow-test.iso"
        return build_dir / self.arch / "minnow.elf"


def build_matrix(rows=None) -> dict[str, Config]:
    """Turn MATRIX_ROWS into {name: Config}, checking each row."""
    matrix: dict[str, Config] = {}
    for row in rows or MATRIX_ROWS:
        name, arch, boot, cpus, mem, cpu, extra = row[:7]
        cmdline = row[7] if len(row) > 7 else ""
        if name in matrix:
            raise ValueError(f"matrix: duplicate configuration {name}")
        if arch not in ARCHS or boot not in ("kernel", "iso"):
            raise ValueError(f"matrix: bad arch or boot in row {name}")
        if cmdline and boot == "iso":
            raise ValueError(f"matrix: row {name}: an ISO fixes its "
                             "command line")
        matrix[name] = Config(name, arch, boot, cpus, mem, cpu or "max",
                              tuple(extra), cmdline)
    return matrix


# ---------------------------------------------------------------- KTAP
KTAP_VERSION = "KTAP version 1"
NESTED_INDENT = "    "
PLAN_RE = re.compile(r"^1\.\.(\d+)\s*(?:#.*)?$")
RESULT_RE = re.compile(r"^(not ok|ok)\s+(\d+)(?:\s+(.*))?$")
SUBTEST_RE = re.compile(r"^#\s*Subtest:\s*(.*?)\s*$")
SUITE_SUMMARY_RE = re.compile(r"^#\s*\S+:\s*(pass:\d+ |\d+ passed,)")
ANSI_RE = re.compile(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|[@-Z\\-_])")


@dataclass
class TestResult:
    """One nested "ok"/"not ok" line and the diagnostics just before it."""
    number: int
    name: str
    ok: bool
    skip: str | None = None         # the reason, when "# SKIP"
    diagnostics: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> bool:
        return self.ok and self.skip is not None

    @property
    def passed(self) -> bool:
        return self.ok and self.skip is None

    def line(self) -> str:
        return f"{'ok' if self.ok else 'not ok'} {self.number} {self.name}"


@dataclass
class Suite:
    """A nested KTAP block and the top-level result line that closes it."""
    name: str = "?"
    plan: int | None = None
    tests: list[TestResult] = field(default_factory=list)
    number: int | None = None       # top-level result number, once closed
    ok: bool | None = None          # top-level result, once closed
    pending: list[str] = field(default_factory=list)  # diagnostics so far

    @property
    def closed(self) -> bool:
        return self.number is not None

    def failures(self) -> list[TestResult]:
        return [t for t in self.tests if not t.ok]


@dataclass
class KtapReport:
    """What parse_ktap() found in a serial log."""
    started: bool = False
    plan: int | None = None
    suites: list[Suite] = field(default_factory=list)
    bail_out: str | None = None
    crash_lines: list[str] = field(default_factory=list)
    top_diagnostics: list[str] = field(default_factory=list)
    stray_lines: list[str] = field(default_factory=list)  # later non-KTAP
    problems: list[str] = field(default_factory=list)     # malformed KTAP
    shortfalls: list[str] = field(default_factory=list)   # plans not met

    def tests(self) -> list[TestResult]:
        return [t for s in self.suites for t in s.tests]

    @property
    def passed(self) -> int:
        return sum(t.passed for t in self.tests())

    @property
    def failed(self) -> int:
        return sum(not t.ok for t in self.tests())

    @property
    def skipped(self) -> int:
        return sum(t.skipped for t in self.tests())

    def failures(self) -> list[tuple[Suite, TestResult]]:
        return [(s, t) for s in self.suites for t in s.failures()]

    def find_test(self, suite: str, name: str) -> TestResult | None:
        for s in self.suites:
            for t in s.tests:
                if s.name == suite and t.name == name:
                    return t
        return None

    @property
    def clean(self) -> bool:
        """Started, complete, well formed, nothing failed."""
        return (self.started and not self.problems and not self.shortfalls
                and self.failed == 0 and self.bail_out is None)


def clean_line(raw: str) -> str:
    """Drop terminal escapes, carriage returns and trailing blanks."""
    return ANSI_RE.sub("", raw).replace("\r", "").replace("\0", "").rstrip()


def parse_result(body: str) -> tuple[bool, int, str, str | None] | None:
    """Split "ok 3 name # SKIP why" into (ok, 3, name, skip reason)."""
    m = RESULT_RE.match(body)
    if m is None:
        return None
    rest = m.group(3) or ""
    name, _, directive = rest.partition("#")
    name = name.strip()
    if name.startswith("- "):
        name = name[2:].strip()
    directive = directive.strip()
    skip = None
    if directive[:4].upper() == "SKIP":
        skip = directive[4:].strip()
    return m.group(1) == "ok", int(m.group(2)), name, skip


class KtapParser:
    """Line-by-line state machine over a serial log; see parse_ktap()."""

    def __init__(self) -> None:
        self.report = KtapReport()
        self.suite: Suite | None = None       # the block being read

    def feed(self, raw: str) -> None:
        line = clean_line(raw)
        r = self.report
        if r.bail_out is not None:
            if len(r.crash_lines) < CRASH_LINES and line:
                r.crash_lines.append(line)
        elif line.lstrip().startswith("Bail out!"):
            r.bail_out = line.lstrip()[len("Bail out!"):].strip()
        elif not r.started:
            r.started = (line.endswith(KTAP_VERSION)
                         and not line.startswith(" "))
        elif line.startswith(NESTED_INDENT) and not line[4:5].isspace():
            self.nested_line(line[4:])
        elif line and not line[0].isspace():
            self.top_line(line)
        elif line:
            r.stray_lines.append(line)

    def feed_partial(self, raw: str) -> None:
        """An unfinished last line: crash report text, else not KTAP."""
        if self.report.bail_out is not None:
            self.feed(raw)
        elif self.report.started and clean_line(raw):
            self.report.stray_lines.append(clean_line(raw))

    # -- top level: version, plan, suite results, diagnostics
    def top_line(self, body: str) -> None:
        r = self.report
        result = parse_result(body)
        if body == KTAP_VERSION:
            r.problems.append("top-level KTAP restarted (kernel rebooted?)")
        elif PLAN_RE.match(body):
            self.top_plan(int(PLAN_RE.match(body).group(1)))
        elif result is not None:
            self.close_suite(*result[:3])
        elif body.startswith("#"):
            r.top_diagnostics.append(body)
        else:
            r.stray_lines.append(body)

    def top_plan(self, count: int) -> None:
        if self.report.plan is not None:
            self.report.problems.append("duplicate top-level plan")
        else:
            self.report.plan = count

    def close_suite(self, ok: bool, number: int, name: str) -> None:
        r = self.report
        suite = self.suite
        if suite is None or suite.closed:
            suite = Suite(name=name)        # a result with no nested block
            r.suites.append(suite)
        elif suite.name != name:
            r.problems.append(f"suite {suite.name}: closed as '{name}'")
        expected = sum(s.closed for s in r.suites) + 1
        if number != expected:
            r.problems.append(f"suite {name}: numbered {number}, "
                              f"expected {expected}")
        suite.number, suite.ok = number, ok
        self.suite = None

    # -- nested level: version, subtest name, plan, test results
    def nested_line(self, body: str) -> None:
        if body == KTAP_VERSION:
            self.open_suite()
            return
        suite = self.current_suite()
        subtest = SUBTEST_RE.match(body)
        result = parse_result(body)
        if subtest:
            suite.name = subtest.group(1)
        elif PLAN_RE.match(body):
            self.nested_plan(suite, int(PLAN_RE.match(body).group(1)))
        elif result is not None:
            self.add_test(suite, *result)
        elif body.startswith("#"):
            suite.pending.append(body)
        else:
            self.report.stray_lines.append(NESTED_INDENT + body)

    def open_suite(self) -> None:
        if self.suite is not None and not self.suite.closed:
            self.report.shortfalls.append(
                f"suite {self.suite.name}: no top-level result line")
        self.suite = Suite()
        self.report.suites.append(self.suite)

    def current_suite(self) -> Suite:
        if self.suite is None:
            self.report.problems.append(
                "nested block without its 'KTAP version 1' line")
            self.open_suite()
        return self.suite

    def nested_plan(self, suite: Suite, count: int) -> None:
        if suite.plan is not None:
            self.report.problems.append(f"suite {suite.name}: duplicate plan")
        else:
            suite.plan = count

    def add_test(self, suite: Suite, ok: bool, number: int, name: str,
                 skip: str | None) -> None:
        expected = len(suite.tests) + 1
        if number != expected:
            self.report.problems.append(
                f"suite {suite.name}: test {name} numbered {number}, "
                f"expected {expected}")
        suite.tests.append(TestResult(number, name, ok, skip, suite.pending))
        suite.pending = []

    # -- end of log: plans and counts
    def finish(self) -> KtapReport:
        r = self.report
        if not r.started:
            return r
        if r.plan is None:
            r.shortfalls.append("missing top-level plan")
        for suite in r.suites:
            self.check_suite(suite)
        closed = sum(s.closed for s in r.suites)
        if r.plan is not None and closed != r.plan:
            r.shortfalls.append(f"top level: plan 1..{r.plan} but "
                                f"{closed} suite results")
        return r

    def check_suite(self, suite: Suite) -> None:
        problems = self.report.problems
        shortfalls = self.report.shortfalls
        if suite.plan is None:
            shortfalls.append(f"suite {suite.name}: missing plan")
        elif len(suite.tests) != suite.plan:
            shortfalls.append(f"suite {suite.name}: plan 1..{suite.plan} but "
                              f"{len(suite.tests)} results")
        if suite.ok and suite.failures():
            problems.append(f"suite {suite.name}: reported ok with "
                            f"{len(suite.failures())} failed tests")
        if suite.ok is False and not suite.failures():
            problems.append(f"suite {suite.name}: reported not ok but no "
                            f"test failed")


def parse_ktap(text: str) -> KtapReport:
    """Parse a serial log: KTAP version 1 among other (ignored) lines."""
    parser = KtapParser()
    lines = text.splitlines()
    partial = None
    if lines and not text.endswith(("\n", "\r")):
        partial = lines.pop()   # a timeout stopped QEMU mid-line
    for raw in lines:
        parser.feed(raw)
    if partial is not None:
        parser.feed_partial(partial)
    return parser.finish()


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
    log_path: str = ""


_live: set[subprocess.Popen] = set()
_live_lock = threading.Lock()


def qemu_command(cfg: Config, build_dir: Path, log_dir: Path, accel: str,
                 ktest: str | None) -> list[str]:
    """The QEMU command line that boots cfg with logs in log_dir."""
    cmd = [QEMU_BINARIES[cfg.arch], "-accel", accel, "-no-reboot",
           "-display", "none", "-monitor", "none",
           "-m", cfg.mem, "-smp", str(cfg.cpus), "-cpu", cfg.cpu,
           "-serial", f"file:{log_dir / (cfg.name + '.log')}",
           "-debugcon", f"file:{log_dir / (cfg.name + '.e9')}",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if cfg.boot == "iso":
        cmd += ["-cdrom", str(cfg.image(build_dir)), "-boot", "d"]
    else:
        cmdline = "ktest" if ktest is None else f"ktest={ktest}"
        cmdline += f" ncpus={cfg.cpus}"
        if cfg.cmdline:
            cmdline += f" {cfg.cmdline}"
        cmd += ["-kernel", str(cfg.image(build_dir)), "-append", cmdline]
    return cmd + list(cfg.extra)


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


def boot_config(cfg: Config, build_dir: Path, log_dir: Path, accel: str,
                ktest: str | None, timeout: float) -> Verdict:
    """Boot one configuration and judge its log."""
    log, e9 = log_dir / f"{cfg.name}.log", log_dir / f"{cfg.name}.e9"
    for stale in (log, e9):
        stale.unlink(missing_ok=True)
    cmd = qemu_command(cfg, build_dir, log_dir, accel, ktest)
    rc, output, elapsed = run_process(cmd, timeout)
    run = RunInfo(rc, rc is None, elapsed, output,
                  last_started_test(read_text(e9)),
                  display_path(log), display_path(e9), timeout)
    return judge(cfg.name, read_text(log), run)


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
    lines = [f"Bail out! {report.bail_out}"]
    lines += ["  " + line for line in report.crash_lines]
    return [(f"Bail out! {report.bail_out}", lines)]


def test_failure_reasons(report: KtapReport) -> list:
    reasons = []
    for suite, test in report.failures():
        lines = [f"{suite.name}: {test.line()}"]
        diags = test.diagnostics
        lines += ["    " + d for d in diags[:DIAG_LINES]]
        if len(diags) > DIAG_LINES:
            lines.append(f"    ... {len(diags) - DIAG_LINES} more lines")
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


def judge(name: str, log_text: str, run: RunInfo) -> Verdict:
    """Judge one run from its serial log and the way QEMU ended."""
    report = parse_ktap(log_text)
    stopped = qemu_reasons(report, run)
    crashed = crash_reasons(report)
    failures = test_failure_reasons(report)
    others = (structure_reasons(report, log_text, bool(stopped or crashed))
              + exit_code_reasons(report, run))
    reasons = stopped + failures + crashed + others    # in log order
    first = (stopped + crashed + failures + others)[:1]  # the likely cause
    verdict = Verdict(name, "FAIL" if reasons else "PASS", report.passed,
                      report.failed, report.skipped, run.elapsed,
                      log_path=run.log_path)
    if reasons:
        verdict.failed = max(verdict.failed, 1)
        verdict.headline = first[0][0]
        verdict.details = [line for _, lines in reasons for line in lines]
        verdict.details.append(f"log: {run.log_path}")
    return verdict


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


def format_log(v: Verdict, log_text: str) -> list[str]:
    """The --verbose dump of a serial log, without terminal escapes."""
    return ([f"----- {v.name}: {v.log_path} -----"]
            + [clean_line(line) for line in log_text.splitlines()]
            + [f"----- end of {v.name} -----"])


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
    p.add_argument("--timeout", type=positive(float),
                   default=default_timeout(), metavar="SECONDS",
                   help="limit per boot (default: $TEST_TIMEOUT or 60)")
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
                               accel, args.ktest, args.timeout)
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


def report_verdict(verdict: Verdict, width: int, verbose: bool) -> None:
    print_lines(format_verdict(verdict, width))
    if verbose:
        print_lines(format_log(verdict, read_text(Path(verdict.log_path))))


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
