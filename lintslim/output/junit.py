"""The `junit` format: JUnit XML, which GitLab (`artifacts: reports: junit:`), Jenkins and most CI
systems show as a test report.

One test suite, `lintslim`, with one test case per file checked (named by its path).  A file whose
findings fail the run (at or above `fail-on`) gets one `<failure>` listing them, one per line, as
`path:line:column: CODE [severity] message`: CI systems show one failure per test case, so a file
is one failing test, not one per finding.  A file with findings below `fail-on` passes, and lists
them in `<system-out>`.  A file that could not be checked (unreadable, not UTF-8) has an `<error>`.
Messages are masked like everywhere else.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TextIO

from lintslim.engine.rule import Rule
from lintslim.output.common import ReportOptions, line_index, plural, positions, report_redactor
from lintslim.runner import FileReport, fails

SUITE = "lintslim"
# XML 1.0 forbids these characters even escaped; a Dockerfile (and so a message quoting it) may hold them
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


class JunitReporter:
    """Keeps one small `<testcase>` element a file until `finish` writes the document."""

    def __init__(self, out: TextIO, options: ReportOptions) -> None:
        self.out = out
        self.cases: list[ET.Element] = []
        self.failures = 0
        self.errors = 0

    def write(self, report: FileReport, rules: Sequence[type[Rule]] = ()) -> None:
        path = xml_text(report.path)
        case = ET.Element("testcase", {"classname": SUITE, "name": path, "file": path})
        if report.diagnostics:
            listing = "\n".join(_finding_lines(report))
            if fails(report):
                codes = ", ".join(sorted({d.code for d in report.diagnostics}))
                message = f"{plural(len(report.diagnostics), 'finding')}: {codes}"
                ET.SubElement(case, "failure", {"message": message, "type": "lintslim"}).text = listing
                self.failures += 1
            else:
                ET.SubElement(case, "system-out").text = listing
        self.cases.append(case)

    def error(self, path: str, message: str) -> None:
        """A file that could not be checked is a test that errored, not one that passed unseen."""
        name = xml_text(path)
        case = ET.Element("testcase", {"classname": SUITE, "name": name, "file": name})
        ET.SubElement(case, "error", {"message": xml_text(message), "type": "lintslim"})
        self.cases.append(case)
        self.errors += 1

    def finish(self) -> None:
        counts = {"tests": str(len(self.cases)), "failures": str(self.failures), "errors": str(self.errors)}
        suites = ET.Element("testsuites", {"name": SUITE, **counts})
        suite = ET.SubElement(suites, "testsuite", {"name": SUITE, **counts, "skipped": "0"})
        suite.extend(self.cases)
        ET.indent(suites)
        self.out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        self.out.write(ET.tostring(suites, encoding="unicode"))
        self.out.write("\n")


def _finding_lines(report: FileReport) -> list[str]:
    index = line_index(report)
    redactor = report_redactor(report)
    lines = []
    for d in report.diagnostics:
        line, column, _, _ = positions(index, d)
        message = redactor.scrub(d.message)
        lines.append(xml_text(f"{report.path}:{line}:{column}: {d.code} [{d.severity.value}] {message}"))
    return lines
