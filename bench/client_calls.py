"""Count what a Temporal client asks of the server: the CLI's share of the billable actions.

A client interceptor sees every high-level call (start, signal, query, update, describe, list, history).
Of these, starts, signals, queries and updates are actions on Temporal Cloud (bench/actions.py); the start
and the signals also land in a history, so bench/section_actions.py counts them there and takes the queries
and updates from here. Describe, list, count and history reads are visibility or read calls, not actions.
"""

from __future__ import annotations

from collections import Counter

from temporalio import client as temporal_client

BILLED_OUTSIDE_HISTORY = ("query", "update")  # billed, and in no history
IN_HISTORY = ("start", "signal-with-start", "signal")  # billed, and counted from the histories
VISIBILITY = ("list", "count", "describe", "history")  # not actions


class CountingInterceptor(temporal_client.Interceptor):
    """Client interceptor keeping a Counter of calls by kind (see the tuples above)."""

    def __init__(self) -> None:
        self.calls: Counter = Counter()

    def intercept_client(self, next: temporal_client.OutboundInterceptor) -> temporal_client.OutboundInterceptor:
        return _Counting(next, self.calls)


class _Counting(temporal_client.OutboundInterceptor):
    def __init__(self, next: temporal_client.OutboundInterceptor, calls: Counter):
        super().__init__(next)
        self.calls = calls

    async def start_workflow(self, input):
        self.calls["signal-with-start" if input.start_signal else "start"] += 1
        return await super().start_workflow(input)

    async def signal_workflow(self, input):
        self.calls["signal"] += 1
        return await super().signal_workflow(input)

    async def query_workflow(self, input):
        self.calls["query"] += 1
        return await super().query_workflow(input)

    async def start_workflow_update(self, input):
        self.calls["update"] += 1
        return await super().start_workflow_update(input)

    async def start_update_with_start_workflow(self, input):
        self.calls["update"] += 1
        self.calls["start"] += 1
        return await super().start_update_with_start_workflow(input)

    async def describe_workflow(self, input):
        self.calls["describe"] += 1
        return await super().describe_workflow(input)

    def list_workflows(self, input):
        self.calls["list"] += 1
        return super().list_workflows(input)

    async def count_workflows(self, input):
        self.calls["count"] += 1
        return await super().count_workflows(input)

    def fetch_workflow_history_events(self, input):
        self.calls["history"] += 1
        return super().fetch_workflow_history_events(input)
