"""Hypothesis strategies for hostile workflow inputs: JSON as `temporal workflow start --input` would send it.

Mostly near-valid objects (the seed's field names with valid values, junk values, misspelled or unknown names,
missing fields), so that the examples reach every branch of the validation and, when valid, the regions; plus
any JSON at all, and the payloads the plain `temporal` CLI accepts that Python's json module cannot decode.
"""

from __future__ import annotations

import dataclasses
import math

from hypothesis import strategies as st
from temporalio.api.common.v1 import Payload
from temporalio.common import RawValue

from workflows import models

NAME_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"
ODD_TEXT = ["", " ", "\u2028", "\ufeffname", "na\x00me", "../../etc", "a" * 256, "é" * 128, "\ud800", "null",
            "first\n", "*", "first,second", "🙂" * 70]
EDGE_NUMBERS = [0, -1, 1, 2, 1e-300, 5e-324, 0.5, 72, 72.0001, 1000, 1001, 8784, 8784.5, 86_400, 86_401, 10**9, 1e9,
                10**23, 2**63, -(2**63), 2**64, 1e308, -1e308, math.inf, -math.inf, math.nan, -0.0, True, False]
MISSPELLINGS = {"TtlHours": ["TTLHours", "ttlHours", "TtlHour", "Ttl"], "MinInferenceUnits": ["MinInferenceUnit",
                "minInferenceUnits"], "MaxInferenceUnits": ["MaxInferenceUnit"], "VersionNames": ["VersionName",
                "Versions", "versionNames"], "VersionName": ["VersionNames", "Version"], "ProjectName": ["projectName",
                "Project", "ProjectNames"], "ManifestKey": ["Manifest", "manifestKey"], "Regions": ["Region",
                "regions"], "MaxTrainingHours": ["MaxTrainingHour"], "PollIntervalSeconds": ["PollInterval"],
                "CanaryRegion": ["Canary", "CanaryRegions"], "MinF1": ["MinF1Score", "minF1"]}

scalars = st.one_of(
    st.none(), st.booleans(), st.sampled_from(EDGE_NUMBERS),
    st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40), st.sampled_from(ODD_TEXT),
)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


def valid_names(existing: tuple[str, ...]) -> st.SearchStrategy[str]:
    """Names Rekognition accepts, biased to ones that exist and to the 255-character limit."""
    return st.one_of(
        st.sampled_from(existing),
        st.text(NAME_ALPHABET, min_size=1, max_size=12),
        st.text(NAME_ALPHABET, min_size=240, max_size=255),
    )


def field_values(name: str, world: dict) -> st.SearchStrategy:
    """Values the workflow should accept for one field (bounds from docs/CONTRACTS.md)."""
    versions = valid_names(world["versions"])
    regions = st.sampled_from(world["regions"])
    valid = {
        "ProjectName": valid_names(world["projects"]),
        "VersionName": versions,
        "VersionNames": st.lists(versions, min_size=1, max_size=3, unique=True),
        "ManifestKey": st.sampled_from(world["manifests"]) | st.text(min_size=1, max_size=30),
        "TestManifestKey": st.sampled_from(world["manifests"]) | st.none(),
        "MaxTrainingHours": st.floats(min_value=1e-9, max_value=72) | st.sampled_from([24, 72]) | st.none(),
        "MinInferenceUnits": st.integers(1, 4) | st.none(),
        "MaxInferenceUnits": st.integers(4, 1000) | st.none(),
        "TtlHours": st.floats(min_value=0, max_value=8784) | st.sampled_from([0, 1e-300, 1, 24, 8784]) | st.none(),
        "Regions": st.lists(regions, min_size=1, max_size=3, unique=True) | st.none(),
        "PollIntervalSeconds": st.integers(1, 86_400) | st.sampled_from([1, 300]) | st.none(),
        "Strict": st.booleans(),
        "PollPolicy": st.sampled_from(["fixed", "adaptive"]) | st.none(),
        "SourceRegion": regions,
        "CanaryRegion": regions | st.none(),
        "MinF1": st.floats(min_value=0, max_value=1) | st.none(),
        "MaxFailedRegions": st.integers(0, 3) | st.none(),
        "MaxConcurrentRegions": st.integers(1, 3) | st.none(),
    }
    assert name in valid, f"json_strategies.field_values: add valid values for the new input field {name}"
    return valid[name]


def junk_values(name: str) -> st.SearchStrategy:
    """Values near a field's limits or of the wrong kind: odd names, 255-character neighbours, huge numbers."""
    near = {
        "VersionNames": st.one_of(
            st.just([]), st.lists(st.text(NAME_ALPHABET, min_size=250, max_size=256), min_size=4, max_size=5),
            st.lists(st.sampled_from(["first", "first", "second"]), min_size=2, max_size=3),  # duplicates
            st.lists(st.sampled_from(ODD_TEXT), min_size=1, max_size=2),
        ),
        "Regions": st.one_of(st.just([]), st.lists(st.sampled_from(["sa-east-1", "mars-north-1", "US-EAST-1",
                                                                    "us-east-1", "us-east-1"]), min_size=1, max_size=3)),
    }.get(name, st.nothing())
    return st.one_of(near, json_values, st.sampled_from(ODD_TEXT), st.sampled_from(EDGE_NUMBERS))


def payloads(cls: type, world: dict) -> st.SearchStrategy:
    """A JSON input for the dataclass `cls` (models.py): valid, then 0-3 mutations (junk value, missing field,
    misspelled or unknown field), or any JSON at all."""
    names = [f.name for f in dataclasses.fields(cls)]
    required = [n for n in ("ProjectName", "VersionName", "VersionNames", "ManifestKey", "SourceRegion") if n in names]

    @st.composite
    def mutated(draw) -> dict:
        optional = draw(st.lists(st.sampled_from([n for n in names if n not in required]), unique=True))
        payload = {name: draw(field_values(name, world)) for name in [*required, *optional]}
        for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2, 3]))):
            kind = draw(st.sampled_from(["junk", "junk", "missing", "misspelled", "unknown"]))
            if kind == "junk":
                name = draw(st.sampled_from(names))
                payload[name] = draw(junk_values(name))
            elif kind == "missing" and payload:
                payload.pop(draw(st.sampled_from(sorted(payload))))
            elif kind == "misspelled":
                meant = draw(st.sampled_from(sorted(m for m in MISSPELLINGS if m in names) or sorted(MISSPELLINGS)))
                payload[draw(st.sampled_from(MISSPELLINGS[meant]))] = payload.pop(meant, None) or draw(json_values)
            else:
                payload[draw(st.text(max_size=20))] = draw(json_values)
        return payload

    return st.one_of(mutated(), mutated(), mutated(), json_values)


def raw(data: bytes, encoding: bytes = b"json/plain") -> RawValue:
    return RawValue(Payload(metadata={"encoding": encoding}, data=data))


# What `temporal workflow start` sends that is not one decodable JSON object (all checked with the CLI 1.9.1:
# no --input, two --input, valid JSON Python cannot decode, an --input-meta encoding of the caller's choice).
CLI_ONLY_ARGUMENTS = {
    "no input": [],
    "two inputs": [{"ProjectName": "AWSDeepRacer", "VersionNames": ["first"]}, {"Regions": ["us-east-1"]}],
    "a number of 6000 digits": [raw(b'{"ProjectName":"AWSDeepRacer","VersionNames":["first"],"TtlHours":'
                                    + b"9" * 6000 + b"}")],
    "arrays nested 5000 deep": [raw(b"[" * 5000 + b"]" * 5000)],
    "an encoding of the caller's choice": [raw(b'"x"', b"weird/encoding")],
    "binary bytes": [raw(b"\x00\xff", b"binary/plain")],
    "JSON null": [None],
}

SEED_TYPES = {
    "BuildModelWorkflow": models.BuildModelInput,
    "StartModelWorkflow": models.StartModelInput,
    "StopModelWorkflow": models.StopModelInput,
    "DeleteModelWorkflow": models.DeleteModelInput,
}
