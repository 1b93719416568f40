"""Two pinned sets: requirements.txt runs the app (make run, production), requirements-dev.txt adds
tests, benchmarks and audits. The app must import nothing that only the development set has."""
import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_TOOLS = {"pytest", "playwright", "hypothesis", "bandit", "pip-audit", "aiohttp", "psutil",
             "pyinstrument", "pypdfium2"}


def _pins(path):
    pins = {}
    for line in (ROOT / path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "-r")):
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)(\[[a-z,]+\])?==([\w.]+)", line)
        assert match, f"{path}: not pinned exactly: {line!r}"
        pins[match.group(1).lower().replace("_", "-")] = match.group(3)
    return pins


def test_both_sets_are_pinned_and_do_not_overlap():
    runtime, dev = _pins("requirements.txt"), _pins("requirements-dev.txt")
    assert "-r requirements.txt" in (ROOT / "requirements-dev.txt").read_text().splitlines()
    assert not set(runtime) & set(dev), "pinned twice"
    assert not DEV_TOOLS & set(runtime), "test or audit tools in the runtime set"
    assert DEV_TOOLS <= set(dev)


def test_the_app_imports_only_what_the_runtime_set_installs():
    runtime = _pins("requirements.txt")
    distributions = packages_distributions()
    outside = set()
    for path in (ROOT / "jobfair").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top == "jobfair":
                    continue
                dists = {d.lower().replace("_", "-") for d in distributions.get(top, [])}
                if not dists & set(runtime):
                    outside.add(f"{top} ({path.relative_to(ROOT)})")
    assert not outside, "imported by the app but not in requirements.txt: " + ", ".join(
        sorted(outside))
