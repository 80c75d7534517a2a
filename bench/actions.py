"""Billable Temporal Cloud actions, counted from real event histories by the rules of the "Actions" page.

https://docs.temporal.io/cloud/actions (read for this count; the page lists, per action type, the history
event that carries it):
- Workflow started (client start, Continue-As-New, child start): the run's WorkflowExecutionStarted. A
  Continue-As-New is billed on the new run's start, not on the ContinuedAsNew event.
- Start Child Workflow initiated: "two Actions, one for durably storing the intent to start a Child Workflow
  and one for the attempt to start it": StartChildWorkflowExecutionInitiated in the parent (1) plus the
  child's own WorkflowExecutionStarted (1).
- Signal-With-Start: "one total action ... regardless of whether the Workflow starts": a run whose second event
  is the signal (the server writes Started then Signaled for a signal-with-start) counts its start only.
- Signal sent (client or workflow): WorkflowExecutionSignaled in the signalled history. A signal to a workflow
  that no longer runs leaves SignalExternalWorkflowExecutionFailed in the sender; the page is silent on
  whether that attempt is billed: counted as billed.
- Activity started or retried: ActivityTaskScheduled (1) plus attempt - 1 of its ActivityTaskStarted.
- Timer started (implicit ones included, e.g. a wait_condition with a timeout): TimerStarted.
- Search Attribute upsert: UpsertWorkflowSearchAttributes, except one carrying only TemporalChangeVersion
  (exempt); attributes given at start are not billed.
- Markers: "all RecordMarkers from each Workflow Task as one action", under local activities; whether a patch
  (version) marker alone is billed is not said: counted as billed, one per workflow task that recorded any.
  Local activity retries: WorkflowTaskCompleted.metering_metadata.nonfirst_local_activity_execution_attempts.
- Update accepted, Workflow Execution Options updated: one each.
- Query, activity heartbeat: not in histories; counted outside (the client's calls, the server's request
  counters).
Replays are never billed. WorkflowExecutionTimeSkippingTransitioned events come from the bench's
time-skipping server and are not actions.
"""

from __future__ import annotations

from collections import Counter

from temporalio.api.enums.v1 import EventType

ACTIONS_PAGE = "https://docs.temporal.io/cloud/actions"
CHANGE_VERSION_ATTRIBUTE = "TemporalChangeVersion"

STARTED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED
SIGNALED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
CHILD_INITIATED = EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED
ACTIVITY_SCHEDULED = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
ACTIVITY_STARTED = EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
TIMER_STARTED = EventType.EVENT_TYPE_TIMER_STARTED
UPSERT = EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES
MARKER = EventType.EVENT_TYPE_MARKER_RECORDED
TASK_COMPLETED = EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
UPDATE_ACCEPTED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
OPTIONS_UPDATED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED
EXTERNAL_SIGNAL_FAILED = EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED

# action kinds, as the tables print them
WORKFLOW_START = "workflow start"
SIGNAL_WITH_START = "signal-with-start"
CHILD_START = "child start initiated"
ACTIVITY = "activity"
ACTIVITY_RETRY = "activity retry"
TIMER = "timer"
SIGNAL = "signal"
SIGNAL_TO_CLOSED = "signal to a closed workflow"
UPSERT_KIND = "search attribute upsert"
MARKERS = "markers (per workflow task)"
LOCAL_ACTIVITY_RETRY = "local activity retry"
UPDATE = "update"
OPTIONS = "workflow options updated"


def started_by_signal_with_start(events) -> bool:
    return len(events) > 1 and events[0].event_type == STARTED and events[1].event_type == SIGNALED


def count_events(events) -> Counter:
    """Billable actions of one run's history events, by kind."""
    events = list(events)
    found: Counter = Counter()
    with_start = started_by_signal_with_start(events)
    marker_tasks: set[int] = set()
    for index, event in enumerate(events):
        kind = event.event_type
        if kind == STARTED:
            found[SIGNAL_WITH_START if with_start else WORKFLOW_START] += 1
        elif kind == SIGNALED:
            if not (with_start and index == 1):
                found[SIGNAL] += 1
        elif kind == CHILD_INITIATED:
            found[CHILD_START] += 1
        elif kind == ACTIVITY_SCHEDULED:
            found[ACTIVITY] += 1
        elif kind == ACTIVITY_STARTED:
            found[ACTIVITY_RETRY] += max(0, event.activity_task_started_event_attributes.attempt - 1)
        elif kind == TIMER_STARTED:
            found[TIMER] += 1
        elif kind == UPSERT:
            fields = set(event.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields)
            if fields - {CHANGE_VERSION_ATTRIBUTE}:
                found[UPSERT_KIND] += 1
        elif kind == MARKER:
            marker_tasks.add(event.marker_recorded_event_attributes.workflow_task_completed_event_id)
        elif kind == TASK_COMPLETED:
            metering = event.workflow_task_completed_event_attributes.metering_metadata
            found[LOCAL_ACTIVITY_RETRY] += metering.nonfirst_local_activity_execution_attempts
        elif kind == UPDATE_ACCEPTED:
            found[UPDATE] += 1
        elif kind == OPTIONS_UPDATED:
            found[OPTIONS] += 1
        elif kind == EXTERNAL_SIGNAL_FAILED:
            found[SIGNAL_TO_CLOSED] += 1
    found[MARKERS] += len(marker_tasks)
    return +found  # drop zero counts


def count_history(history) -> Counter:
    """Billable actions of a temporalio.client.WorkflowHistory (or anything with `.events`)."""
    return count_events(history.events)
