"""Every Custom Labels operation the endpoint answers, by API name (importing a module registers its handlers)."""

from . import dataset_operations, operations, policies, tags  # noqa: F401 - registration
from .api import OPERATIONS, Context

__all__ = ["OPERATIONS", "Context"]
