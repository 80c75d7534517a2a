"""Every workflow the worker serves (and the replay tests replay)."""

from workflows.cost_guard import CostGuardWorkflow
from workflows.parents import BuildModelWorkflow, DeleteModelWorkflow, StartModelWorkflow, StopModelWorkflow
from workflows.region import RegionOperationWorkflow
from workflows.version import ModelVersionWorkflow

WORKFLOWS = [
    BuildModelWorkflow,
    StartModelWorkflow,
    StopModelWorkflow,
    DeleteModelWorkflow,
    RegionOperationWorkflow,
    ModelVersionWorkflow,
    CostGuardWorkflow,
]
