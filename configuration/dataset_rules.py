"""The Custom Labels dataset rules, applied line by line to a Ground Truth manifest: what training would refuse.

Pure (no I/O, no boto3): `check_line` reads one JSON line, `image_problem` judges what was learnt about its
image, and `DatasetTally` adds the lines up in bounded memory (counters, the first few problems, at most
MAX_TRACKED_LABELS label names) and gives a `Report`: findings that make training fail, warnings for what
trains but trains badly. Every rule cites the Custom Labels guide
(https://docs.aws.amazon.com/rekognition/latest/customlabels-dg/): [limits] limits.html, [rules]
md-create-manifest-file-validation-rules.html, [content] tm-debugging-aggregate-errors.html, [line]
tm-debugging-json-line-errors.html, [images] md-prepare-images.html. docs/TRAINING_RULES.md lists the same rules
as the local endpoint applies them; tests/localaws/test_preflight_agrees_with_training.py proves the two agree.
This module is written apart from localaws on purpose: the emulator is the independent stand-in for AWS.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

MAX_MANIFEST_BYTES = 1024**3  # "Maximum dataset manifest file size is 1 GB" [limits]
MAX_ROWS = 250_000  # "Maximum of 250,000 dataset objects as lines in a manifest" [rules]
SMALL_REGION_ROWS = {"ap-south-1": 28_000, "eu-west-2": 28_000}  # Mumbai and London: 28,000 images [limits]
MAX_INVALID_SHARE = 0.20  # "The 20% invalidity rules apply cumulatively across all validation rules" [rules]
MIN_LABELS = {"classification": 2, "object detection": 1}  # [limits]
MAX_LABELS = 250  # "Maximum number of unique labels per manifest is 250" [limits]
# The build trains with TestingData AutoCreate, which splits the training images; a label needs an image on each
# side of the split. AWS publishes no number (the local endpoint uses the same 2, docs/TRAINING_RULES.md).
MIN_IMAGES_PER_LABEL_FOR_AUTOSPLIT = 2
MAX_IMAGE_BYTES = 15 * 1024 * 1024  # "Maximum file size for an image in an Amazon S3 bucket is 15 MB" [limits]
MIN_SIDE, MAX_SIDE, MAX_ASPECT = 64, 4096, 20  # 64x64 to 4096x4096 pixels, aspect ratio 20:1 [limits]
# Trains, but badly: warnings only.
MAX_LABELS_PER_IMAGE = 50  # [limits]; the validation rules page raises no error for it ("None")
MAX_BOXES_PER_IMAGE = 50  # [limits], [rules]: "Maximum bounding boxes per image 50 ... Error raised: None"
RECOMMENDED_IMAGES_PER_LABEL = 10  # [images] "Use at least 10 images to train your model", applied per label (ours)
MAX_IMBALANCE = 10  # most / fewest images of a label; the guide gives no number: ours, a common rule of thumb
# Memory bounds: whatever the manifest holds, the tally keeps this much.
MAX_TRACKED_LABELS = 1_000
MAX_KEPT_PROBLEMS = 25
MAX_NAME_CHARS = 80

FIXES = {
    "ERROR_INVALID_JSON_LINE": "make the line one JSON object",
    "ERROR_MISSING_SOURCE_REF": 'add "source-ref": "s3://bucket/key" naming the image',
    "ERROR_INVALID_SOURCE_REF_FORMAT": "write the source-ref as s3://bucket/key",
    "ERROR_NO_LABEL_ATTRIBUTES": 'add a label attribute with its "<attribute>-metadata" object',
    "ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT": "give the label attribute its value (boxes: an annotations list)",
    "ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT": "make the metadata an object (boxes: with a class-map)",
    "ERROR_NO_VALID_LABEL_ATTRIBUTES": 'give the metadata a "class-name" (or a "class-map")',
    "ERROR_MISSING_CLASS_MAP_ID": "add the class_id to the class-map or fix the box",
    "ERROR_INVALID_BOUNDING_BOX": "give every box non-negative left, top, width and height",
    "ERROR_INVALID_IMAGE": "use a PNG or JPEG of 64-4096 px a side, at most 15 MB",
}
MISSING_IMAGE_FIX = "upload it or remove the line"


@dataclass(frozen=True)
class Finding:
    """One problem, one line of text: where (a 1-based line number, or the manifest), the rule, what to change."""

    rule: str
    problem: str
    fix: str
    line: int | None = None

    def text(self) -> str:
        where = f"line {self.line}" if self.line else "manifest"
        return f"{where}: {self.rule}: {self.problem}: {self.fix}"


@dataclass
class LineCheck:
    """One non-blank JSON line as the rules read it (its image not yet checked)."""

    number: int
    labels: list[str] = field(default_factory=list)  # classes named, one per box for detection
    detection: bool = False
    boxes: int = 0
    image: tuple[str, str] | None = None  # (bucket, key) of the source-ref
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (code, detail, what to change)

    def flag(self, code: str, detail: str, fix: str | None = None) -> None:
        self.errors.append((code, detail, fix or FIXES.get(code, "fix the line")))


@dataclass(frozen=True)
class ImageFacts:
    """What a HEAD and the first bytes told about an image."""

    exists: bool
    size: int = 0
    denied: bool = False  # the reader may not read it (403)
    format: str | None = None  # "png", "jpeg" or None
    dimensions: tuple[int, int] | None = None
    unchecked_size: bool = False  # JPEG frame header beyond what is read: dimensions not checked


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= MAX_NAME_CHARS else text[: MAX_NAME_CHARS - 1] + "…"


def _source_ref(line: LineCheck, record: dict) -> None:
    if "source-ref" not in record:
        line.flag("ERROR_MISSING_SOURCE_REF", "no source-ref")
        return
    ref = record["source-ref"]
    path = ref[5:] if isinstance(ref, str) and ref.startswith("s3://") else None
    if path is None or "/" not in path or path.startswith("/"):
        line.flag("ERROR_INVALID_SOURCE_REF_FORMAT", f"source-ref {_short(ref)} is not s3://bucket/key")
        return
    bucket, key = path.split("/", 1)
    line.image = (bucket, key)


def _is_box(box: Any) -> bool:
    sides = [box.get(name) for name in ("left", "top", "width", "height")] if isinstance(box, dict) else []
    return len(sides) == 4 and all(
        isinstance(side, (int, float)) and not isinstance(side, bool) and side >= 0 for side in sides)


def _boxes(line: LineCheck, attribute: str, value: Any, metadata: dict) -> None:
    line.detection = True
    annotations = value.get("annotations") if isinstance(value, dict) else None
    if not isinstance(annotations, list):
        line.flag("ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT", f"{_short(attribute)} has no annotations list")
        return
    class_map = metadata.get("class-map")
    if not isinstance(class_map, dict):
        line.flag("ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT", f"{_short(attribute)}-metadata has no class-map")
        return
    line.boxes += len(annotations)
    for box in annotations:
        if not _is_box(box):
            line.flag("ERROR_INVALID_BOUNDING_BOX", "a box without non-negative left/top/width/height")
        elif class_map.get(str(box.get("class_id"))) is None:
            line.flag("ERROR_MISSING_CLASS_MAP_ID", f"class_id {_short(box.get('class_id'))} is not in the class-map")
        else:
            line.labels.append(str(class_map[str(box.get("class_id"))]))


def _label_attributes(line: LineCheck, record: dict) -> None:
    """Labels from every `<attribute>` / `<attribute>-metadata` pair of a Ground Truth line [line]."""
    attributes = [key[: -len("-metadata")] for key in record if key.endswith("-metadata")]
    if not attributes:
        line.flag("ERROR_NO_LABEL_ATTRIBUTES", "no '<attribute>-metadata' key")
    for attribute in attributes:
        metadata, value = record[f"{attribute}-metadata"], record.get(attribute)
        if not isinstance(metadata, dict):
            line.flag("ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT", f"{_short(attribute)}-metadata is not an object")
        elif attribute not in record:
            line.flag("ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT", f"label attribute {_short(attribute)} is missing")
        elif "object-detection" in str(metadata.get("type", "")) or (isinstance(value, dict) and "annotations" in value):
            _boxes(line, attribute, value, metadata)
        elif "class-name" in metadata:
            line.labels.append(str(metadata["class-name"]))
        elif isinstance(metadata.get("class-map"), dict):  # multi-label classification
            line.labels.extend(str(name) for name in metadata["class-map"].values())
        else:
            line.flag("ERROR_NO_VALID_LABEL_ATTRIBUTES", f"{_short(attribute)}-metadata has no class-name or class-map")


def check_line(number: int, text: str) -> LineCheck:
    """One non-blank JSON line: its labels, its image, and the JSON Line errors the guide documents [line]."""
    line = LineCheck(number)
    try:
        record = json.loads(text)
    except (ValueError, RecursionError) as exc:
        line.flag("ERROR_INVALID_JSON_LINE", f"not valid JSON ({getattr(exc, 'msg', type(exc).__name__)})")
        return line
    if not isinstance(record, dict):
        line.flag("ERROR_INVALID_JSON_LINE", "not a JSON object")
        return line
    _source_ref(line, record)
    _label_attributes(line, record)
    return line


def image_problem(facts: ImageFacts, uri: str) -> str | None:
    """Why training would leave the image's line out (ERROR_INVALID_IMAGE), or None [limits]."""
    if not facts.exists:
        return f"{uri} does not exist"
    if facts.size > MAX_IMAGE_BYTES:
        return f"{uri} is {facts.size} bytes, over the 15 MB limit"
    if facts.format is None:
        return f"{uri} is not a PNG or JPEG image"
    if facts.unchecked_size:
        return None
    if facts.dimensions is None:
        return f"{uri} has no readable {facts.format.upper()} header"
    width, height = facts.dimensions
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        return f"{uri} is {width}x{height} pixels, outside {MIN_SIDE}..{MAX_SIDE}"
    if max(width, height) > MAX_ASPECT * min(width, height):
        return f"{uri} is {width}x{height} pixels, an aspect ratio over {MAX_ASPECT}:1"
    return None


def findings_message(headline: str, findings: list[str], total: int, shown: int = 10) -> str:
    """A headline, then one finding per line (at most `shown`), then "and N more": a rejection in one glance."""
    lines = [headline, *findings[:shown]]
    hidden = total - min(shown, len(findings))
    if hidden > 0:
        lines.append(f"and {hidden} more")
    return "\n".join(lines)


@dataclass
class Report:
    """The preflight's verdict: rejected when any finding stands. Texts are one line each."""

    rejected: bool
    findings: list[str]
    warnings: list[str]
    findings_total: int
    warnings_total: int
    lines: int = 0
    valid_lines: int = 0
    labels: int = 0
    use_case: str = ""


class _Kept:
    """The first MAX_KEPT_PROBLEMS findings of a kind, and how many there were."""

    def __init__(self) -> None:
        self.items: list[Finding] = []
        self.count = 0

    def add(self, finding: Finding) -> None:
        self.count += 1
        if len(self.items) < MAX_KEPT_PROBLEMS:
            self.items.append(finding)


def _label_key(name: str) -> str:
    """Label names are kept short: a long one is known by its digest (counts stay exact, memory bounded)."""
    return name if len(name) <= 256 else "sha256:" + hashlib.sha256(name.encode()).hexdigest()


class DatasetTally:
    """Adds checked lines up, in bounded memory, and applies the dataset-wide rules in `report()`.

    regions: where the build trains (Mumbai and London allow fewer lines). rewrites_buckets: True for the build,
    which points every source-ref at the regional copy of the management bucket (so the one-bucket rule
    cannot fail there and becomes a warning); False to check a manifest that is trained as it is.
    """

    def __init__(self, regions: list[str] | tuple[str, ...] = (), rewrites_buckets: bool = True):
        self.row_limit = min([MAX_ROWS, *(SMALL_REGION_ROWS.get(region, MAX_ROWS) for region in regions)])
        self.rewrites_buckets = rewrites_buckets
        self.terminal: list[Finding] = []  # file errors: nothing else counts
        self.lines = self.valid = self.invalid = 0
        self.detection = False
        self.counts: dict[str, int] = {}
        self.names: dict[str, str] = {}
        self.more_labels = False  # more than MAX_TRACKED_LABELS distinct labels
        self.buckets: list[str] = []
        self.bad_lines = _Kept()
        self.denied: list[str] = []
        self.crowded = _Kept()  # warnings: too many labels or boxes in one image
        self.unchecked = _Kept()  # warnings: JPEG size not read

    def fail(self, rule: str, problem: str, fix: str, line: int | None = None) -> None:
        """A terminal problem with the manifest file itself (missing, too big, not UTF-8, empty...)."""
        self.terminal.append(Finding(rule, problem, fix, line))

    def add(self, line: LineCheck, facts: ImageFacts | None = None) -> None:
        """A checked line with what was learnt about its image (None: the line names no image)."""
        self.lines += 1
        if line.image is not None:
            bucket = _short(line.image[0])
            if bucket not in self.buckets and len(self.buckets) < 5:
                self.buckets.append(bucket)
            if facts is not None:
                self._image(line, facts)
        if line.errors:
            self.invalid += 1
            code, detail, fix = line.errors[0]
            more = f" (and {len(line.errors) - 1} more error(s))" if len(line.errors) > 1 else ""
            self.bad_lines.add(Finding(code, detail + more, fix, line.number))
            return
        self.valid += 1
        self.detection = self.detection or line.detection
        for name in dict.fromkeys(line.labels):
            key = _label_key(name)
            if key in self.counts:
                self.counts[key] += 1
            elif len(self.counts) < MAX_TRACKED_LABELS:
                self.counts[key], self.names[key] = 1, _short(name)
            else:
                self.more_labels = True
        if len(set(line.labels)) > MAX_LABELS_PER_IMAGE or line.boxes > MAX_BOXES_PER_IMAGE:
            self.crowded.add(Finding("LABELS_PER_IMAGE", f"{len(set(line.labels))} labels, {line.boxes} boxes",
                                     f"keep at most {MAX_LABELS_PER_IMAGE} of each per image", line.number))

    def _image(self, line: LineCheck, facts: ImageFacts) -> None:
        bucket, key = line.image
        uri = f"s3://{_short(bucket)}/{_short(key)}"
        if facts.denied:
            if bucket not in self.denied and len(self.denied) < 5:
                self.denied.append(_short(bucket))
            return
        problem = image_problem(facts, uri)
        if problem:
            line.flag("ERROR_INVALID_IMAGE", problem, None if facts.exists else MISSING_IMAGE_FIX)
        elif facts.unchecked_size:
            self.unchecked.add(Finding("IMAGE_HEADER", f"{uri}: JPEG size not found in its first segments",
                                       "check the image opens", line.number))

    # ------------------------------------------------------------------------------------------------ report

    @property
    def use_case(self) -> str:
        return "object detection" if self.detection else "classification"

    def _dataset_findings(self) -> tuple[list[Finding], list[Finding]]:
        findings: list[Finding] = []
        warnings: list[Finding] = []
        if self.lines > self.row_limit:
            findings.append(Finding("ERROR_MANIFEST_ROWS_EXCEEDS_MAXIMUM", f"{self.lines} JSON lines",
                                    f"keep at most {self.row_limit} (the limit where the build trains)"))
        if self.invalid > MAX_INVALID_SHARE * self.lines:
            findings.append(Finding("ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST",
                                    f"{self.invalid} of {self.lines} JSON lines invalid (at most 20%)",
                                    "fix the lines below"))
            findings.extend(self.bad_lines.items)
        else:
            warnings.extend(Finding(f.rule, f.problem, "the line is left out of training", f.line)
                            for f in self.bad_lines.items)
        if self.denied:
            findings.append(Finding("ERROR_INVALID_PERMISSIONS_IMAGES_S3_BUCKET",
                                    f"the images in {', '.join(self.denied)} cannot be read",
                                    "grant s3:GetObject on them to the identity that trains"))
        if len(self.buckets) > 1:
            shown = ", ".join(self.buckets)
            if self.rewrites_buckets:
                warnings.append(Finding("ERROR_IMAGES_IN_MULTIPLE_S3_BUCKETS", f"source-refs name {shown}",
                                        "the build trains every image from the management bucket's copy"))
            else:
                findings.append(Finding("ERROR_IMAGES_IN_MULTIPLE_S3_BUCKETS", f"images in {shown}",
                                        "put every image in one bucket"))
        return findings, warnings

    def _label_findings(self) -> tuple[list[Finding], list[Finding]]:
        findings: list[Finding] = []
        warnings: list[Finding] = []
        if not self.valid:
            return findings, warnings
        distinct = len(self.counts) + (1 if self.more_labels else 0)
        label_list = ", ".join(sorted(self.names.values())[:5]) + (" ..." if distinct > 5 else "")
        short = sorted(self.names[key] for key, count in self.counts.items()
                       if count < MIN_IMAGES_PER_LABEL_FOR_AUTOSPLIT)
        if short:
            findings.append(Finding("ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_AUTOSPLIT",
                                    f"{len(short)} label(s) with 1 image: {', '.join(short[:5])}",
                                    f"give every label at least {MIN_IMAGES_PER_LABEL_FOR_AUTOSPLIT} valid images"))
        minimum = MIN_LABELS[self.use_case]
        if distinct < minimum:
            findings.append(Finding("ERROR_MANIFEST_TOO_FEW_LABELS", f"{distinct} label(s) ({label_list})",
                                    f"{self.use_case} needs at least {minimum}: label images of another class"))
        if distinct > MAX_LABELS:
            more = "more than " if self.more_labels else ""
            findings.append(Finding("ERROR_MANIFEST_TOO_MANY_LABELS", f"{more}{distinct} labels",
                                    f"keep at most {MAX_LABELS}"))
        few = sorted(self.names[key] for key, count in self.counts.items()
                     if MIN_IMAGES_PER_LABEL_FOR_AUTOSPLIT <= count < RECOMMENDED_IMAGES_PER_LABEL)
        if few:
            warnings.append(Finding("FEW_IMAGES_PER_LABEL", f"{len(few)} label(s) with fewer than "
                                    f"{RECOMMENDED_IMAGES_PER_LABEL} images: {', '.join(few[:5])}",
                                    "add images: the guide recommends at least 10"))
        if self.counts and min(self.counts.values()) * MAX_IMBALANCE < max(self.counts.values()):
            most = max(self.counts, key=self.counts.get)
            fewest = min(self.counts, key=self.counts.get)
            warnings.append(Finding("UNBALANCED_LABELS", f"{self.names[most]} has {self.counts[most]} images, "
                                    f"{self.names[fewest]} {self.counts[fewest]}",
                                    f"bring the labels within {MAX_IMBALANCE}:1 of each other"))
        return findings, warnings

    def report(self) -> Report:
        if self.terminal:
            findings, warnings = list(self.terminal), []
        else:
            findings, warnings = self._dataset_findings()
            labels, label_warnings = self._label_findings()
            findings += labels
            warnings += label_warnings + self.crowded.items + self.unchecked.items
        hidden = (self.bad_lines.count - len(self.bad_lines.items)) if not self.terminal else 0
        in_findings = any(f.rule == "ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST" for f in findings)
        more_warnings = (self.crowded.count - len(self.crowded.items)) + (self.unchecked.count - len(self.unchecked.items))
        return Report(
            rejected=bool(findings),
            findings=[f.text() for f in findings],
            warnings=[f.text() for f in warnings],
            findings_total=len(findings) + (hidden if in_findings else 0),
            warnings_total=len(warnings) + more_warnings + (0 if in_findings else hidden),
            lines=self.lines,
            valid_lines=self.valid,
            labels=len(self.counts) + (1 if self.more_labels else 0),
            use_case=self.use_case if self.valid else "",
        )
