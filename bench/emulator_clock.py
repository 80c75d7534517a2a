"""The emulator's Custom Labels transitions timed by workflow time, for runs on a time-skipping server.

On the time-skipping dev server a 2-hour training passes in seconds of wall time and every workflow has its
own virtual clock, while the emulator's "time" mode reads the wall clock. So the emulator runs in "manual"
timing and this activity interceptor moves it: after an activity that begins a transition (create, start,
stop, delete a version; delete a project) it notes the transition with the calling workflow's time (the
activity's scheduled time, which is virtual); before that workflow's next status read (describe) it completes
the transition through the control API once the workflow's time has reached the noted time plus the
transition's duration. A transition and the polls that watch it run in the same workflow, hence one clock.

Imports only the activity names and the emulator's stdlib client, so a worker of another checkout of the
project (bench/section_actions.py's old design) can load this file too.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass

from temporalio import activity
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

from localaws.control import EmulatorControl
from workflows import activity_api as api

TRAINING, STARTING, STOPPING, DELETING, PROJECT_DELETING = (
    "training", "starting", "stopping", "deleting", "project_deleting")
BEGINS = {
    api.CREATE_VERSION: TRAINING,
    api.START_VERSION: STARTING,
    api.STOP_VERSION: STOPPING,
    api.DELETE_VERSION: DELETING,
    api.DELETE_PROJECT: PROJECT_DELETING,
}
READS = {api.DESCRIBE_VERSION, api.DESCRIBE_PROJECT, getattr(api, "AWAIT_VERSION_STATUS", api.DESCRIBE_VERSION)}


@dataclass(frozen=True)
class Target:
    """What a control-API `advance` completes: a version, or a project when `version` is None."""

    region: str
    project: str
    version: str | None


def target_of(arg) -> Target | None:
    """The version or project an activity input names (its region and ARNs: arn:...:project/NAME[/version/V]/ts)."""
    region = getattr(arg, "region", None)
    arn = getattr(arg, "version_arn", None) or getattr(arg, "project_arn", None)
    if not region or not arn or ":project/" not in arn:
        return None
    parts = arn.split(":project/", 1)[1].split("/")
    version = parts[2] if len(parts) > 3 and parts[1] == "version" else getattr(arg, "version", None)
    return Target(region, parts[0], version)


class EmulatorClock(Interceptor):
    """Worker interceptor; `durations` maps TRAINING, STARTING, ... to seconds of workflow time."""

    def __init__(self, control: EmulatorControl, durations: dict[str, float]):
        self.control = control
        self.durations = durations
        self.pending: dict[str, tuple[Target, str, float]] = {}  # workflow id -> (target, phase, began at)
        self.completed: list[tuple[str, str, float]] = []  # (workflow id, phase, workflow seconds it took)
        self._lock = threading.Lock()

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _ClockedActivities(next, self)

    def began(self, workflow_id: str, activity_type: str, arg, moment: float) -> None:
        target = target_of(arg)
        if target is not None:
            with self._lock:
                self.pending[workflow_id] = (target, BEGINS[activity_type], moment)

    def before_read(self, workflow_id: str, moment: float) -> None:
        """Complete the workflow's pending transition if its duration has passed on the workflow's clock."""
        with self._lock:
            found = self.pending.get(workflow_id)
            if found is None or moment - found[2] < self.durations[found[1]]:
                return
            del self.pending[workflow_id]
        target, phase, began = found
        self.control.advance(target.region, target.project, target.version)
        with self._lock:
            self.completed.append((workflow_id, phase, moment - began))


class _ClockedActivities(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, clock: EmulatorClock):
        super().__init__(next)
        self.clock = clock

    async def execute_activity(self, input: ExecuteActivityInput):
        info = activity.info()
        moment = info.current_attempt_scheduled_time.timestamp()
        if info.activity_type in READS:
            await asyncio.to_thread(self.clock.before_read, info.workflow_id, moment)
        result = await self.next.execute_activity(input)
        if info.activity_type in BEGINS and input.args:
            self.clock.began(info.workflow_id, info.activity_type, input.args[0], moment)
        return result
