"""The worker's payload converter: a payload nobody can decode fails the run (InvalidInput), not its workflow task.

`temporal workflow start` sends whatever it is given: valid JSON that Python's json module refuses (a number of
more than 4,300 digits, arrays nested a few thousand deep) or an `--input-meta encoding=...` of the caller's
choice. The SDK decodes a run's input before any workflow code runs, and a decoding error fails the workflow task,
which the server retries forever: the run never ends and later operations on its versions wait for it. This
converter turns exactly those payloads (unknown encoding, JSON that cannot be parsed) into a non-retryable
ApplicationError of type InvalidInput, which fails the run at once. A payload that parses but does not fit its
type hint (a dataclass this worker's code no longer matches) still fails the task, so that a fixed worker can
take over, as Temporal intends for code drift.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Any

from temporalio.api.common.v1 import Payload
from temporalio.converter import DataConverter, DefaultPayloadConverter
from temporalio.exceptions import ApplicationError


def undecodable(converter: DefaultPayloadConverter, payload: Payload) -> str | None:
    """Why no converter can read this payload at all, or None when it is readable JSON (or another known encoding)."""
    encoding = payload.metadata.get("encoding", b"").decode("utf-8", errors="replace")
    if encoding.encode() not in converter.converters:
        return f"an input has the encoding {encoding[:60]!r}; send JSON (json/plain)"
    if encoding != "json/plain":
        return None
    try:
        json.loads(payload.data)
    except (ValueError, RecursionError) as err:
        detail = " ".join(str(err).split())[:120] or type(err).__name__
        return f"an input is JSON this worker cannot read ({type(err).__name__}: {detail})"
    return None


class InputPayloadConverter(DefaultPayloadConverter):
    """DefaultPayloadConverter, except that unreadable payloads raise InvalidInput (see the module docstring)."""

    def from_payloads(self, payloads: Sequence[Payload], type_hints: list[type] | None = None) -> list[Any]:
        try:
            return super().from_payloads(payloads, type_hints)
        except Exception:
            problem = next((p for p in (undecodable(self, payload) for payload in payloads) if p), None)
            if problem is None:
                raise
            raise ApplicationError(problem, type="InvalidInput", non_retryable=True) from None


def worker_data_converter(base: DataConverter) -> DataConverter:
    """The client's converter (codecs and all) with InputPayloadConverter, unless it has a payload converter of
    its own."""
    if base.payload_converter_class is not DefaultPayloadConverter:
        return base
    return dataclasses.replace(base, payload_converter_class=InputPayloadConverter)
