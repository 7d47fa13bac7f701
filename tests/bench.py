#!/usr/bin/env python3
"""Run Minnow's in-kernel benchmarks and print a table (`make bench`).

Usage: python3 tests/bench.py [--build-dir DIR] [--arch ARCH] [--no-boot-sweep]

1. Micro-benchmarks: each kernel boots once with "-icount shift=0" and the
   "bench" option.  With icount, rdtsc counts guest instructions, so the
   figures are guest instructions per operation and identical from run to
   run.  The kernel prints "bench: NAME MEDIAN MIN MAX" lines.  The md
   RAM disk's benchmarks count per KiB moved: they get a table of their
   own, per byte and as a multiple of memcpy measured in the same boot.
2. SMP benchmarks: the same kernels boot with "-smp 4" and run the
   scheduler and shootdown benchmarks (tests/smp_bench.c), then print the
   shootdown IPIs each CPU sent and took.
3. Boot cost against RAM size: the x86_64 kernel boots with "bench=boot" at
   several -m sizes.  Two figures per size: the guest instructions spent
   setting up memory (vm_page array, page tables, free lists; under
   icount), and the wall time of the whole QEMU run under plain TCG (median
   of three).  A least-squares slope per GiB says whether the cost grows
   linearly and how fast.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import qemu     # noqa: E402  tests/qemu.py: the one QEMU command-line builder

REPO = Path(__file__).resolve().parent.parent
TIMEOUT = 120
# Goals from the issues; a figure over its goal is flagged, not failed.
GOALS = {"vm_page_alloc_free": 80, "getpbuf_relpbuf": 60, "quick_dmap": 12,
         "sf_buf_hit": 60, "sf_buf_dmap": 60}
# Ratio goals: (benchmark, floor benchmark, most times the floor).
RATIO_GOALS = [("quick_slot", "quick_floor", 1.5)]
# md benchmarks (tests/md_bench.c) count per KiB moved; each is shown per
# byte next to memcpy of the same size from the same boot.
MD_SIZES = ["4k", "64k"]
MD_GOAL_RATIO_64K = 1.5
# UBC copies against memcpy of the same size, same boot (tests/ubc_bench.c);
# the goal (issue 10) applies at 64 KiB, to the no-KASSERT kernels.
UBC_RATIOS = [(f"ubc_{rw}_{size}_{path}", f"ubc_memcpy_{size}")
              for size in ("4k", "64k") for path in ("window", "direct")
              for rw in ("read", "write")]
UBC_RATIO_GOAL = 1.2
SWEEP_MIB = [128, 1024, 2048, 4096, 8192, 16384]
SWEEP_GOAL_MS_PER_GIB = 20.0
SMP_CPUS = 4
SMP_BENCHES = ["ctx_switch_yield", "spinlock_uncontended",
               "sleep_wakeup_roundtrip", "sleep_wakeup_2cpu", "shootdown_1",
               "shootdown_3"]
SMP_REPORT = "shootdown_ipis"
SFBUF_REPORT = "sf_buf_ipis"
SFBUF_SMP_BENCHES = ["sf_buf_hit", "sf_buf_miss", "sf_buf_miss_priv"]
SFBUF_IPI_KINDS = ["hit", "hit_priv", "miss", "miss_priv"]
BENCH_LINE = re.compile(r"^bench: (\S+) (\d+)(?: (\d+) (\d+))?\s*$")


def boot(arch: str, build: Path, mem: str, cmdline: str, icount: bool,
         cpus: int = 1):
    """Boot once; return (serial output, wall seconds)."""
    cmd = qemu.qemu_argv(arch, build / arch / "minnow.elf", cmdline=cmdline,
                         cpus=cpus, mem=mem, icount=icount)
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, errors="replace", timeout=TIMEOUT)
    wall = time.monotonic() - t0
    if p.returncode != qemu.EXIT_PASS:
        sys.exit(f"bench: {arch} -m {mem} -smp {cpus} '{cmdline}' exited "
                 f"{p.returncode}:\n{p.stdout[-2000:]}{p.stderr[-500:]}")
    return p.stdout, wall


def parse(out: str) -> dict:
    res = {}
    for line in out.splitlines():
        m = BENCH_LINE.match(line.strip("\r"))
        if m:
            res[m.group(1)] = [int(g) for g in m.groups()[1:] if g]
    return res


def micro_table(archs: list[str], builds: dict[str, Path]) -> None:
    """One column per (arch, build): KASSERT on, and off if built."""
    cols = [(a, k) for a in archs for k in builds]
    results = {c: parse(boot(c[0], builds[c[1]], "128M", "bench", True)[0])
               for c in cols}
    names = []
    for c in cols:
        names += [n for n in results[c] if n not in names and
                  len(results[c][n]) == 3 and  # timed, not reported figures
                  not n.startswith(("md_", "memcpy_"))]  # per KiB: below
    print("Micro-benchmarks: guest instructions per operation, median "
          "of 7 rounds")
    print(f"  {'benchmark':<24}" +
          "".join(f"{a + ' ' + k:>20}" for a, k in cols) + "   goal")
    for n in names:
        row = f"  {n:<24}"
        for c in cols:
            v = results[c].get(n)
            row += f"{'-' if v is None else v[0]:>20}"
        goal = GOALS.get(n)
        if goal is not None:
            best = [results[c][n][0] for c in cols
                    if n in results[c] and c[1] == "nodebug"] or \
                [results[c][n][0] for c in cols if n in results[c]]
            row += f"   <= {goal} {'ok' if max(best) <= goal else 'OVER'}"
        print(row)
    for n, floor, most in RATIO_GOALS:
        for c in cols:
            if n in results[c] and floor in results[c]:
                r = results[c][n][0] / results[c][floor][0]
                print(f"  {c[0]} {c[1]}: {n} is {r:.2f}x {floor} "
                      f"(goal <= {most}x"
                      f" {'ok' if r <= most else 'OVER'})")
    print("  (min and max equal the median unless noted: -icount makes "
          "runs repeatable)")
    for c in cols:
        for n, v in results[c].items():
            if len(v) == 3 and v[1] != v[2]:
                print(f"  {c[0]} {c[1]} {n}: min {v[1]}, max {v[2]}")
    md_table(results, cols)
    return cols, results


def md_table(results: dict, cols: list) -> None:
    """md reads and writes per byte, and as a multiple of memcpy."""
    if not any(f"memcpy_{s}" in results[c] for c in cols for s in MD_SIZES):
        return
    print("\nmd RAM disk against memcpy of the same size, same boot: "
          "instructions per byte (x memcpy)")
    print(f"  {'transfer':<24}" +
          "".join(f"{a + ' ' + k:>20}" for a, k in cols) + "   goal")
    for size in MD_SIZES:
        for op in ["memcpy", "md_read", "md_write", "md_read_sf",
                   "md_write_sf"]:
            n = f"{op}_{size}"
            row = f"  {n:<24}"
            for c in cols:
                v, base = results[c].get(n), results[c].get(f"memcpy_{size}")
                cell = "-" if v is None else f"{v[0] / 1024:.2f}"
                if v is not None and base and op != "memcpy":
                    cell += f" ({v[0] / base[0]:.2f}x)"
                row += f"{cell:>20}"
            if size == "64k" and op in ("md_read", "md_write"):
                r = [results[c][n][0] / results[c][f"memcpy_{size}"][0]
                     for c in cols if c == ("x86_64", "nodebug") and
                     n in results[c]]
                if r:
                    row += (f"   <= {MD_GOAL_RATIO_64K}x "
                            f"{'ok' if r[0] <= MD_GOAL_RATIO_64K else 'OVER'}")
            print(row)


def ubc_table(cols: list, results: dict) -> None:
    """ubc_uiomove of cached data as a multiple of memcpy, per column."""
    print("\nUBC: ubc_uiomove of cached data / memcpy of the same size "
          "(same boot)")
    print(f"  {'benchmark':<24}" +
          "".join(f"{a + ' ' + k:>20}" for a, k in cols) + "   goal")
    for n, base in UBC_RATIOS:
        row, ratios = f"  {n:<24}", []
        for c in cols:
            v, b = results[c].get(n), results[c].get(base)
            if v is None or b is None:
                row += f"{'-':>20}"
                continue
            ratios.append((c[1], v[0] / b[0]))
            row += f"{v[0] / b[0]:>19.3f}x"
        if n.endswith(("64k_window", "64k_direct")) and ratios:
            best = [r for k, r in ratios if k == "nodebug"] or \
                [r for _, r in ratios]
            row += (f"   <= {UBC_RATIO_GOAL}x "
                    f"{'ok' if max(best) <= UBC_RATIO_GOAL else 'OVER'}")
        print(row)
    for c in cols:
        f = {k.split(".")[-1]: v[0] for k, v in results[c].items()
             if k.startswith("ubc_faults_per_window.")}
        if f:
            print(f"  {c[0]} {c[1]}: faults to read one window: " +
                  ", ".join(f"{k} {v}" for k, v in f.items()))


def smp_table(archs: list[str], builds: dict[str, Path]) -> None:
    """The SMP benchmarks at -smp SMP_CPUS, then each CPU's shootdown IPIs."""
    cols = [(a, k) for a in archs for k in builds]
    cmdline = "bench=" + ",".join(SMP_BENCHES + [SMP_REPORT])
    results = {c: parse(boot(c[0], builds[c[1]], "128M", cmdline, True,
                             SMP_CPUS)[0]) for c in cols}
    # A boot of its own: the kernel's option values are at most 127 bytes.
    for c in cols:
        results[c].update(parse(boot(
            c[0], builds[c[1]], "128M",
            "bench=" + ",".join(SFBUF_SMP_BENCHES + [SFBUF_REPORT]), True,
            SMP_CPUS)[0]))
    print(f"\nSMP benchmarks (-smp {SMP_CPUS}): guest instructions per "
          "operation, median of 7 rounds")
    print(f"  {'benchmark':<24}" +
          "".join(f"{a + ' ' + k:>20}" for a, k in cols))
    for n in SMP_BENCHES + SFBUF_SMP_BENCHES:
        print(f"  {n:<24}" + "".join(
            f"{results[c].get(n, ['-'])[0]:>20}" for c in cols))
    print("  (QEMU runs the CPUs in turn on one instruction clock: a "
          "figure counts every\n   CPU's instructions, for a shootdown "
          "the targets' too.  Timer ticks fall in\n   some rounds and not "
          "others, so min and max may differ by a few; the\n   figures "
          "are the same from run to run)")
    for c in cols:
        for n in SMP_BENCHES:
            v = results[c].get(n)
            if v is not None and v[1] != v[2]:
                print(f"  {c[0]} {c[1]} {n}: min {v[1]}, max {v[2]}")
    print("  shootdown IPIs since boot, sent/received")
    for cpu in range(SMP_CPUS):
        key = f"{SMP_REPORT}.cpu{cpu}"
        pairs = [f"{results[c][key + '.sent'][0]}/"
                 f"{results[c][key + '.received'][0]}" for c in cols]
        print(f"  {'  CPU ' + str(cpu):<24}" +
              "".join(f"{p:>20}" for p in pairs))
    print("  sf_buf shootdown IPIs per operation (pool path; goal 0 for "
          "CPUPRIVATE,\n  for a miss the CPUs in the stale mask: here all "
          f"{SMP_CPUS - 1} others)")
    for kind in SFBUF_IPI_KINDS:
        key = f"{SFBUF_REPORT}.{kind}_per_100"
        vals = [f"{results[c][key][0] / 100:.2f}" if key in results[c]
                else "-" for c in cols]
        print(f"  {'  sf_buf ' + kind:<24}" + "".join(f"{v:>20}"
                                                       for v in vals))


def slope(xs: list[float], ys: list[float]) -> float:
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    num = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    den = sum((x - mx) ** 2 for x in xs)
    return num / den


def boot_sweep(build: Path) -> None:
    print("\nBoot cost against RAM (x86_64, bench=boot)")
    print(f"  {'RAM':>8} {'managed':>10} {'vm init (instr)':>17} "
          f"{'QEMU run (ms, TCG)':>20}")
    gib, instr, wall = [], [], []
    for mib in SWEEP_MIB:
        out, _ = boot("x86_64", build, f"{mib}M", "bench=boot", True)
        r = parse(out)
        walls = [boot("x86_64", build, f"{mib}M", "bench=boot", False)[1]
                 for _ in range(3)]
        gib.append(mib / 1024)
        instr.append(r["boot.vm_init_ticks"][0])
        wall.append(statistics.median(walls) * 1000)
        print(f"  {mib:>6}M {r['boot.managed_kib'][0] // 1024:>8}M "
              f"{instr[-1]:>17} {wall[-1]:>20.1f}")
    s_instr, s_wall = slope(gib, instr), slope(gib, wall)
    print(f"  slope: {s_instr:,.0f} instructions per GiB, "
          f"{s_wall:.1f} ms per GiB of wall time "
          f"(goal <= {SWEEP_GOAL_MS_PER_GIB:.0f} ms: "
          f"{'ok' if s_wall <= SWEEP_GOAL_MS_PER_GIB else 'OVER'})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=str(REPO / "build"))
    ap.add_argument("--nodebug-dir", help="kernels built with -DNO_KASSERT")
    ap.add_argument("--arch", action="append",
                    choices=sorted(qemu.QEMU_BINARIES))
    ap.add_argument("--no-boot-sweep", action="store_true")
    args = ap.parse_args()
    build = Path(args.build_dir)
    builds = {"kassert": build}
    if args.nodebug_dir:
        builds["nodebug"] = Path(args.nodebug_dir)
    ubc_table(*micro_table(args.arch or ["i386", "x86_64"], builds))
    smp_table(args.arch or ["i386", "x86_64"], builds)
    if not args.no_boot_sweep:
        boot_sweep(build)
    return 0


if __name__ == "__main__":
    sys.exit(main())
