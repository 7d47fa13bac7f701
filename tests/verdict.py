"""Verdicts of tests/run.py: how a configuration's boots are judged.

A Boot is one QEMU run of a configuration: how QEMU ended (RunInfo) and
its serial log parsed as KTAP (tests/ktap.py).  judge_boots() turns the
boots of one configuration (the first, and one more after each test that
crashed the kernel) into a Verdict: PASS or FAIL, the test counts of the
merged report, a headline (the likely cause) and the reasons, in log
order, that tests/run.py prints under the configuration's line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ktap import (CRASH_LINES, CRASHED, SUITE_SUMMARY_RE, Crash, KtapReport,
                  clean_line, crash_point, merge_reports, parse_ktap)

EXIT_PASS = 33          # isa-debug-exit: (0x10 << 1) | 1
EXIT_FAIL = 35          # isa-debug-exit: (0x11 << 1) | 1

DIAG_LINES = 10         # diagnostics shown before each "not ok"
TAIL_LINES = 20         # log lines shown when there is no KTAP to explain


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
