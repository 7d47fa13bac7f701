"""Booting for tests/run.py: one configuration, again past each crash.

boot_config() boots one row of the matrix in QEMU, logging COM1 to
BUILD/test/NAME.log and port 0xe9 to NAME.e9.  When a test crashes or
hangs the kernel it boots again with ktest.after=SUITE.TEST (NAME.2.log,
NAME.3.log, ...), so that one crash does not hide every later test, then
judges the boots (tests/verdict.py) and saves their merged KTAP as
NAME.ktap.  run_process() keeps track of the QEMUs it started, so that
Ctrl-C kills them all (kill_running()).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

from ktap import format_ktap, merge_reports, runs_after
from matrix import Config, boot_command
from verdict import Boot, RunInfo, Verdict, judge_boots

MAX_CRASHES = 8         # boots again after at most this many crashes

_live: set[subprocess.Popen] = set()
_live_lock = threading.Lock()


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


def display_path(path: Path | str) -> str:
    """path relative to the current directory when it is below it."""
    rel = os.path.relpath(path)
    return str(path) if rel.startswith("..") else rel


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
