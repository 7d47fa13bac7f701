"""KTAP version 1 for tests/run.py: parse serial logs, merge boots, print.

Minnow's kernel prints KTAP version 1 (Documentation/dev-tools/ktap.rst in
Linux): one nested block per suite, closed by a top-level result line.
parse_ktap() reads a serial log into a KtapReport and notes what is
malformed; crash_point() finds the test a boot died in; merge_reports()
joins the boots of one configuration (the first, then one more after each
crash, booted with ktest.after=SUITE.TEST) into one report that counts the
crashed test once as failed; format_ktap() prints a report as a
well-formed KTAP document that kunit.py parse and prove read.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

CRASH_LINES = 30        # crash report lines kept after "Bail out!"

# ---------------------------------------------------------------- parsing
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
    skip: str | None = None         # its "# SKIP" reason, if any
    block: bool = True              # had a nested block (not just a line)
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
            self.close_suite(*result)
        elif body.startswith("#"):
            r.top_diagnostics.append(body)
        else:
            r.stray_lines.append(body)

    def top_plan(self, count: int) -> None:
        if self.report.plan is not None:
            self.report.problems.append("duplicate top-level plan")
        else:
            self.report.plan = count

    def close_suite(self, ok: bool, number: int, name: str,
                    skip: str | None = None) -> None:
        r = self.report
        suite = self.suite
        if suite is None or suite.closed:
            suite = Suite(name=name, block=False)   # a bare result line
            r.suites.append(suite)
        elif suite.name != name:
            r.problems.append(f"suite {suite.name}: closed as '{name}'")
        expected = sum(s.closed for s in r.suites) + 1
        if number != expected:
            r.problems.append(f"suite {name}: numbered {number}, "
                              f"expected {expected}")
        suite.number, suite.ok, suite.skip = number, ok, skip
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
        if not suite.block and suite.skip is not None:
            return                  # "ok 3 sched # SKIP why": no block due
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




# ---------------------------------------------------------------- crashes
BAIL_CRASH_RE = re.compile(r"^([^.\s]+)\.(\S+) crashed: (.*)$")
CRASHED = "# crashed:"      # the kernel's diagnostic before the "not ok"


@dataclass
class Crash:
    """The test a boot died in, and why."""
    test: str                       # SUITE.TEST
    reason: str
    printed: bool                   # the kernel printed its "not ok"

    @property
    def suite(self) -> str:
        return self.test.partition(".")[0]

    @property
    def name(self) -> str:
        return self.test.partition(".")[2]


def crash_point(report: KtapReport, last_started: str | None,
                stopped: str | None) -> Crash | None:
    """The test a boot died in, or None when it did not die in a test.

    The kernel names the test on its "Bail out! SUITE.TEST crashed: WHY"
    line.  When it could not (a hang, a triple fault), stopped says how
    QEMU ended ("timeout after 60s") and last_started, from port 0xe9,
    names the test, unless that test had printed its result already.
    """
    if report.bail_out is not None:
        m = BAIL_CRASH_RE.match(report.bail_out)
        if m is None:
            return None
        test = report.find_test(m[1], m[2])
        return Crash(f"{m[1]}.{m[2]}", m[3], test is not None)
    if stopped is None or not last_started or "." not in last_started:
        return None
    if report.find_test(*last_started.split(".", 1)) is not None:
        return None
    return Crash(last_started, stopped, False)


def runs_after(report: KtapReport, crash: Crash) -> bool:
    """Might a test be selected after the crashed one?  The kernel lists
    them as "not run" after a crash it reports; after a hang, who knows."""
    if not crash.printed:
        return True
    for i, suite in enumerate(report.suites):
        names = [t.name for t in suite.tests]
        if suite.name == crash.suite and crash.name in names:
            return (names.index(crash.name) + 1 < len(names)
                    or i + 1 < len(report.suites))
    return True


# ---------------------------------------------------------------- merging
def crashed_test(suites: list[Suite], crash: Crash,
                 crash_lines: list[str]) -> tuple[int, int]:
    """Find (or, after a hang, add) the crashed test's result in suites;
    give it the crash report as diagnostics.  Returns (suite, test) index."""
    for si in range(len(suites) - 1, -1, -1):
        s = suites[si]
        for ti, t in enumerate(s.tests):
            if s.name == crash.suite and t.name == crash.name:
                t.ok, t.skip = False, None
                if not any(d.startswith(CRASHED) for d in t.diagnostics):
                    t.diagnostics.append(f"{CRASHED} {crash.reason}")
                t.diagnostics += ["# " + line for line in crash_lines]
                return si, ti
    if not suites or suites[-1].closed or suites[-1].name != crash.suite:
        suites.append(Suite(name=crash.suite))
    s = suites[-1]
    s.tests.append(TestResult(len(s.tests) + 1, crash.name, False, None,
                              s.pending + [f"{CRASHED} {crash.reason}"]))
    s.pending = []
    return len(suites) - 1, len(s.tests) - 1


def renumber(suites: list[Suite]) -> None:
    """Number suites and tests in order; settle each block's result."""
    for n, s in enumerate(suites, 1):
        s.number = n
        for k, t in enumerate(s.tests, 1):
            t.number = k
        if not s.block:
            continue
        s.ok = not s.failures()
        reasons = {t.skip for t in s.tests if t.skipped}
        all_skipped = s.tests and all(t.skipped for t in s.tests)
        s.skip = None
        if all_skipped:
            s.skip = reasons.pop() if len(reasons) == 1 else \
                "every test skipped"


def merge_reports(parts: list[tuple[KtapReport, Crash | None]]
                  ) -> KtapReport:
    """Join the boots of one configuration into one report.

    parts: each boot's report and the test it crashed in, in boot order;
    boot k+1 ran with ktest.after= the test boot k crashed in.  A boot
    followed by another is cut just after its crashed test (its "not run"
    results would count twice); the suite that test is in continues with
    the next boot's first suite of that name.  The crashed test stays, once,
    as failed, with the crash reason and report as its diagnostics.
    """
    merged = KtapReport(started=any(r.started for r, _ in parts))
    if not parts:
        return merged
    merged.plan = parts[0][0].plan
    joined: Suite | None = None         # suite a crash left open
    for i, (report, crash) in enumerate(parts):
        suites = copy.deepcopy(report.suites)
        if crash is not None:
            si, ti = crashed_test(suites, crash, report.crash_lines)
            if i + 1 < len(parts):
                del suites[si + 1:]
                del suites[si].tests[ti + 1:]
        for s in suites:
            if joined is not None and s.name == joined.name and s.block:
                joined.tests += s.tests
            else:
                merged.suites.append(s)
            joined = None
        more = crash is not None and i + 1 < len(parts)
        joined = merged.suites[-1] if more and merged.suites else None
        if i + 1 == len(parts):
            merged.bail_out = report.bail_out
    renumber(merged.suites)
    return merged


# ---------------------------------------------------------------- printing
def result_line(ok: bool, number: int, name: str,
                skip: str | None = None) -> str:
    line = f"{'ok' if ok else 'not ok'} {number} {name}"
    return line + (f" # SKIP {skip}" if skip is not None else "")


def format_suite(s: Suite) -> list[str]:
    """A suite's nested block (if it had one) and its result line."""
    lines = []
    if s.block:
        plan = s.plan if s.plan is not None else len(s.tests)
        lines += [NESTED_INDENT + KTAP_VERSION,
                  f"{NESTED_INDENT}# Subtest: {s.name}",
                  f"{NESTED_INDENT}1..{plan}"]
        for t in s.tests:
            lines += [NESTED_INDENT + d for d in t.diagnostics]
            lines.append(NESTED_INDENT + result_line(t.ok, t.number, t.name,
                                                     t.skip))
        npass = sum(t.passed for t in s.tests)
        nskip = sum(t.skipped for t in s.tests)
        lines.append(f"# {s.name}: pass:{npass} fail:{len(s.failures())} "
                     f"skip:{nskip} total:{len(s.tests)}")
    ok = s.ok if s.ok is not None else not s.failures()
    return lines + [result_line(ok, s.number or 0, s.name, s.skip)]


def format_ktap(report: KtapReport) -> str:
    """The report as a KTAP version 1 document (what kunit.py parse and
    prove read); a plan the results do not meet is kept, so that tests
    that never ran show as missing rather than vanish."""
    plan = report.plan if report.plan is not None else len(report.suites)
    lines = [KTAP_VERSION, f"1..{plan}"]
    for s in report.suites:
        lines += format_suite(s)
    if report.bail_out is not None:
        lines.append(f"Bail out! {report.bail_out}")
    return "\n".join(lines) + "\n"
