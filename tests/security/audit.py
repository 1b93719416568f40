"""`make audit`: static security checks, fast enough for every CI run (well under a minute).

1. bandit on the app's code (jobfair/ and app.py): any HIGH severity finding fails; medium
   ones are printed. A false positive is annotated in the code with ``# nosec <ID>`` and the
   reason on the same line, never silenced here.
2. pip-audit on requirements-dev.txt, which includes requirements.txt (every package is pinned
   there, transitive ones included, so
   ``--no-deps --disable-pip`` audits exactly what we install without building a virtualenv).
   A known vulnerability fails and is named. When the vulnerability service cannot be reached
   (no network, or a registry mirror without PyPI's JSON API), the audit says so and does not
   fail: the check is only as good as the service that answers it.

Exit status: 0 when nothing fails, 1 otherwise.
"""
import json
import subprocess  # nosec B404 - runs our own pinned tools with fixed arguments
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BANDIT_TARGETS = ["jobfair", "app.py"]
PIP_AUDIT_TIMEOUT = 45  # seconds for the whole dependency audit
# What pip-audit says of a package the vulnerability service did not answer for.
NOT_AUDITED = ("could not be audited", "not found on pypi")


def _run(command, timeout):
    return subprocess.run(  # nosec B603 - fixed command line, no shell
        command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)


def _tool(name):
    path = BIN / name
    return [str(path)] if path.exists() else [sys.executable, "-m", name.replace("-", "_")]


def run_bandit():
    """True when bandit finds no HIGH severity issue."""
    print("== bandit (jobfair/, app.py) ==")
    with tempfile.TemporaryDirectory() as folder:
        report_path = Path(folder) / "bandit.json"
        result = _run(_tool("bandit") + ["-q", "-r", *BANDIT_TARGETS, "-f", "json",
                                         "-o", str(report_path)], timeout=120)
        if not report_path.exists():
            print(result.stdout, result.stderr)
            print("FAIL: bandit did not produce a report")
            return False
        report = json.loads(report_path.read_text())
    for error in report.get("errors", []):
        print(f"  bandit could not read {error.get('filename')}: {error.get('reason')}")
    by_severity = {"HIGH": [], "MEDIUM": [], "LOW": []}
    for issue in report.get("results", []):
        by_severity.setdefault(issue["issue_severity"], []).append(issue)
    for severity in ("HIGH", "MEDIUM"):
        for issue in by_severity[severity]:
            where = f"{Path(issue['filename']).as_posix()}:{issue['line_number']}"
            print(f"  {severity:6} {issue['test_id']} {where}  {issue['issue_text']}")
    totals = report.get("metrics", {}).get("_totals", {})
    print(f"  {len(by_severity['HIGH'])} high, {len(by_severity['MEDIUM'])} medium, "
          f"{len(by_severity['LOW'])} low; {totals.get('nosec', 0)} annotated '# nosec'; "
          f"{totals.get('loc', '?')} lines")
    if report.get("errors"):
        print("FAIL: bandit could not read every file")
        return False
    if by_severity["HIGH"]:
        print("FAIL: high-severity findings (fix them, or annotate a false positive with "
              "'# nosec <ID>' and why)")
        return False
    print("ok: no high-severity finding")
    return True


def _describe(dependency, vulnerability):
    fixes = ", ".join(vulnerability.get("fix_versions") or []) or "no fixed version yet"
    aliases = ", ".join(vulnerability.get("aliases") or [])
    return (f"  {dependency['name']} {dependency.get('version', '?')}: {vulnerability['id']}"
            f"{f' ({aliases})' if aliases else ''}, fixed in {fixes}")


def run_pip_audit():
    """True unless the vulnerability service reports a vulnerability in the pinned sets."""
    print("== pip-audit (requirements.txt, requirements-dev.txt) ==")
    command = _tool("pip-audit") + [
        # Both files: pip-audit does not follow requirements-dev.txt's "-r requirements.txt".
        "-r", "requirements.txt", "-r", "requirements-dev.txt",
        "--no-deps", "--disable-pip", "--progress-spinner", "off",
        "--timeout", "10", "--format", "json"]
    try:
        result = _run(command, timeout=PIP_AUDIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        print(f"NOT CHECKED: the vulnerability service did not answer within "
              f"{PIP_AUDIT_TIMEOUT} s; dependencies were not audited (not a failure)")
        return True
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"NOT CHECKED: pip-audit could not reach the vulnerability service ({last}); "
              "dependencies were not audited (not a failure)")
        return True
    dependencies = report.get("dependencies", [])
    vulnerable = [(d, v) for d in dependencies for v in d.get("vulns", [])]
    skipped = [d for d in dependencies
               if any(s in (d.get("skip_reason") or "").lower() for s in NOT_AUDITED)]
    audited = len(dependencies) - len(skipped)
    if vulnerable:
        print("FAIL: known vulnerabilities in pinned dependencies:")
        for dependency, vulnerability in vulnerable:
            print(_describe(dependency, vulnerability))
        return False
    if dependencies and not audited:
        print(f"NOT CHECKED: the vulnerability service did not answer for any of the "
              f"{len(dependencies)} pinned packages (e.g. \"{skipped[0]['skip_reason']}\"); "
              "a registry mirror without PyPI's JSON API does this. Not a failure.")
        return True
    if skipped:
        names = ", ".join(d["name"] for d in skipped)
        print(f"  not audited (no answer from the service): {names}")
    print(f"ok: no known vulnerability in {audited} audited packages")
    return True


def main():
    results = [run_bandit(), run_pip_audit()]
    print("audit:", "passed" if all(results) else "FAILED")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
