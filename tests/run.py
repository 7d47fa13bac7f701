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

Each configuration of MATRIX_ROWS (tests/matrix.py) boots once.  The kernel
prints KTAP version 1 on COM1 (saved as BUILD/test/NAME.log), names each
test it starts on the debug console port 0xe9 (BUILD/test/NAME.e9), and
leaves QEMU through isa-debug-exit: 33 when every test passed, 35 when one
failed or the kernel crashed.

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

This file is the command line and the report; the rest of the runner is
tests/matrix.py (the rows and their QEMU command lines), tests/boot.py
(booting a row, again past each crash), tests/verdict.py (judging its
boots) and tests/ktap.py (parsing and merging KTAP).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import fnmatch
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from boot import (MAX_CRASHES, boot_config, display_path,  # noqa: E402
                  kill_running, read_text)
from ktap import clean_line     # noqa: E402
from matrix import Config, build_matrix, qemu_binary    # noqa: E402
from verdict import Verdict     # noqa: E402

QEMU_PACKAGE = "qemu-system-x86"
DEFAULT_TIMEOUT = 60.0
REPO = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- output
COUNTS_WIDTH = 30


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
    missing = sorted({qemu_binary(c.arch) for c in configs
                      if shutil.which(qemu_binary(c.arch)) is None})
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
