#!/usr/bin/env python3
"""`make stress`: the sf_buf stress test at length.

Boots tests/sf_buf_stress_test.c with sfstress=OPS over 4 CPUs on i386 at
3 GiB (no direct map: every page goes through the pool) and on x86_64
booted with sfbuf=map quickmap=slot, through tests/qemu.py like every
other boot.  Prints each run's operation count and mismatches; exits 1 if
a run fails, times out or reports a mismatch.

    python3 tests/stress.py [--build-dir build] [--ops N] [--timeout S]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import qemu     # noqa: E402  tests/qemu.py: the one QEMU command-line builder

RUNS = [("i386", "3G", ""), ("x86_64", "1G", "sfbuf=map quickmap=slot")]
CPUS = 4
SUMMARY = re.compile(r"sf_buf stress .*")


def stress_once(build: Path, arch: str, mem: str, opts: str, ops: int,
                timeout: float) -> bool:
    """One boot; print its summary lines; True when it passed cleanly."""
    log = build / "test" / f"stress-{arch}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    cmdline = f"ktest=sf_buf.stress sfstress={ops} ncpus={CPUS} {opts}"
    argv = qemu.qemu_argv(arch, qemu.image_path(build, arch),
                          cmdline=cmdline.strip(), cpus=CPUS, mem=mem,
                          serial=f"file:{log}")
    print(f"stress: {arch}, {CPUS} CPUs, -m {mem}, {ops} operations {opts}",
          flush=True)
    try:
        rc = subprocess.run(argv, stdin=subprocess.DEVNULL,
                            timeout=timeout).returncode
    except subprocess.TimeoutExpired:
        print(f"  FAIL: no end after {timeout:g} s; log: {log}")
        return False
    lines = SUMMARY.findall(log.read_bytes().decode(errors="replace"))
    for line in lines:
        print(f"  {line}")
    if rc != qemu.EXIT_PASS:
        print(f"  FAIL: QEMU exited {rc} ({qemu.EXIT_PASS} is a pass); "
              f"log: {log}")
        return False
    if not lines or any(" 0 mismatches" not in line for line in lines):
        print(f"  FAIL: mismatches (or no summary); log: {log}")
        return False
    print("  PASS")
    return True


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build-dir", default="build", type=Path)
    p.add_argument("--ops", type=int, default=1000000)
    p.add_argument("--timeout", type=float, default=3600)
    args = p.parse_args()
    ok = [stress_once(args.build_dir, arch, mem, opts, args.ops,
                      args.timeout) for arch, mem, opts in RUNS]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
