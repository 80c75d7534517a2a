"""Runs last in this folder: every project left in any region is one a test meant to keep, one version per name.

Whatever else exists (a project from a rejected input, a run that failed half-way) is a leaked resource.
"""

import pytest
import reliability_harness as harness

pytestmark = pytest.mark.reliability
KEPT = {"DurableWorker", "DurableServer", "Throttled", "Outage", "TrainFail", "Secrets"}


def test_nothing_else_exists_in_any_region(stack):
    unexpected = []
    per_project: dict[str, int] = {}
    for region in stack.regions:
        for project in stack.projects(region):
            per_project[project] = per_project.get(project, 0) + 1
            if project not in KEPT:
                unexpected.append(f"{region}/{project}")
    harness.FIGURES.leaked["inventory: projects no test meant to keep"] = unexpected
    every_version = {}
    for version in stack.control.versions():
        every_version.setdefault(version["region"], []).append(version)
    duplicates = harness.count_duplicates(every_version)
    harness.FIGURES.notes.append(
        f"inventory: {sum(per_project.values())} project(s) and {sum(len(v) for v in every_version.values())} "
        f"version(s) in {len(stack.regions)} regions, all kept on purpose; duplicate versions: {duplicates}")
    assert not unexpected, f"leaked projects: {unexpected}"
    assert duplicates == 0, every_version
