"""Every workflow the worker serves (and the replay tests replay)."""

from workflows.adopt import AdoptProjectWorkflow
from workflows.cost_guard import CostGuardWorkflow
from workflows.parents import (
    BuildModelWorkflow,
    DeleteModelWorkflow,
    ProjectOperationWorkflow,
    StartModelWorkflow,
    StopModelWorkflow,
)
from workflows.project import ProjectWorkflow
from workflows.region import RegionOperationWorkflow
from workflows.version import ModelVersionWorkflow

# The types every committed history set (tests/histories/v*/) covers: tests/workflows/test_replay.py.
WORKFLOWS = [
    BuildModelWorkflow,
    StartModelWorkflow,
    StopModelWorkflow,
    DeleteModelWorkflow,
    RegionOperationWorkflow,
    ModelVersionWorkflow,
    CostGuardWorkflow,  # runs started before the project's owner kept the cost guard
    ProjectWorkflow,
    ProjectOperationWorkflow,
]
# Issue 18's adopt, newer than those sets: its histories are in tests/histories/adopt-*/ (test_replay_adopt.py).
SERVED = [*WORKFLOWS, AdoptProjectWorkflow]
