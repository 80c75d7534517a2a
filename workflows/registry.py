"""Every workflow the worker serves (and the replay tests replay)."""

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
