"""How an operation ended, in one glance: every row settled, one short line per distinct cause.

The workflow's rows can still say CHECKING for a region whose child failed (its last report came before the
failure). Once the operation is over nothing is in progress any more, so such rows take the region's
failure (or the workflow's) as their final status. Causes that differ only by the region's name (regional
bucket names) are grouped: "manifest s3://gcl-train-...-<region>/m not found: 11 regions (us-east-1, ...)".
"""

import re
from dataclasses import dataclass

MAX_LINE = 120  # never print a longer line unless asked (--json keeps everything)
REGION_MARK = "<region>"


@dataclass(frozen=True)
class Cause:
    reason: str  # with the region's name replaced by <region>
    regions: list[str]


def shorten(text: str, width: int = MAX_LINE) -> str:
    """One line of at most `width` characters (an ellipsis marks what was cut)."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= width else flat[: max(width - 1, 0)] + "…"


def settle_rows(rows: list[dict], failed: dict[str, str], failure: str | None) -> list[dict]:
    """The rows with nothing left in progress: unfinished rows take their region's failure or the workflow's."""
    settled = []
    for row in rows:
        row = dict(row)
        if row.get("ok") is None:
            reason = failed.get(row.get("region", "")) or failure
            row["status"], row["ok"] = ("FAILED", False) if reason else ("UNFINISHED", False)
            row["error"] = row.get("error") or reason or "the operation ended before this row finished"
        settled.append(row)
    return settled


def group_causes(failed: dict[str, str], failure: str | None = None) -> list[Cause]:
    """Distinct reasons, most regions first. A reason that names its own region (a regional bucket) is the same
    reason everywhere: each region's reason becomes a template (its region name -> <region>), and a region joins
    the template that, filled with its name, gives its reason (so a reason also naming the management region,
    like "s3://mgmt-...-us-east-1", groups us-east-1 with the others)."""
    reasons = {region: " ".join(str(reason).split()) for region, reason in failed.items()}
    templates = {reason.replace(region, REGION_MARK) for region, reason in reasons.items()}
    members = {template: [r for r, reason in reasons.items() if template.replace(REGION_MARK, r) == reason]
               for template in templates}
    causes, placed = [], set()
    for template in sorted(templates, key=lambda t: (-len(members[t]), t)):
        regions = sorted(r for r in members[template] if r not in placed)
        if regions:
            placed.update(regions)
            causes.append(Cause(template, regions))
    if failure and not failed:
        causes.append(Cause(" ".join(failure.split()), []))
    return sorted(causes, key=lambda cause: (-len(cause.regions), cause.reason))


def _collapse_paths(text: str) -> str:
    """s3://bucket/a/b/c.png -> s3://…/c.png: the file's name is what a reader needs from a long path."""
    return re.sub(r"\b(s3://)?[\w.-]+(/[^\s/]+){2,}", lambda m: (m.group(1) or "") + "…/" + m.group(0).rsplit("/", 1)[1],
                  text)


def shorten_middle(text: str, width: int) -> str:
    """Collapse long paths, then cut the middle so that both the start and the end of a reason stay readable."""
    flat = " ".join(str(text).split())
    if len(flat) <= width:
        return flat
    flat = _collapse_paths(flat)
    if len(flat) <= width:
        return flat
    head = max(width * 2 // 5, 1)
    return flat[:head] + "…" + flat[len(flat) - (width - head - 1):]


def cause_line(cause: Cause, width: int = MAX_LINE) -> str:
    """`reason: N regions (a, b)` within `width`; region names when there are few or the reason still fits."""
    if not cause.regions:
        return shorten_middle(cause.reason, width)
    count = f": {len(cause.regions)} region{'s' if len(cause.regions) != 1 else ''}"
    named = f"{count} ({', '.join(cause.regions)})"
    if len(cause.reason) + len(named) <= width or (len(cause.regions) <= 3 and width - len(named) >= 40):
        return shorten_middle(cause.reason, width - len(named)) + named
    return shorten_middle(cause.reason, width - len(count)) + count


MAX_WARNINGS = 3  # dataset warnings shown after a build; --json has them all


def warning_lines(warnings: list[str], width: int = MAX_LINE) -> list[str]:
    """The dataset preflight's warnings (what trains but trains badly): a few lines, then how many more."""
    width = min(width, MAX_LINE)
    lines = [shorten_middle(f"dataset warning: {text}", width) for text in warnings[:MAX_WARNINGS]]
    if len(warnings) > MAX_WARNINGS:
        lines.append(f"and {len(warnings) - MAX_WARNINGS} more dataset warning(s) (--json shows them)")
    return lines


def summary_lines(title: str, succeeded: list[str], failed: dict[str, str], failure: str | None, seconds: float,
                  width: int = MAX_LINE, *, refused: dict[str, str] | None = None,
                  not_attempted: dict[str, str] | None = None) -> list[str]:
    """The closing lines: the count line (holding the cause when there is only one), then one line per cause.

    A failure of several lines (a dataset rejected by the preflight: a headline, then one finding per line) keeps
    its lines: the headline joins the count line, each finding gets its own line. Regions the rollout never
    launched and regions the quality gate refused (issue 17) are counted on the count line, which also says why
    regions were not attempted; the refusals follow on one line with each region's score.
    """
    width = min(width, MAX_LINE)
    refused, not_attempted = refused or {}, not_attempted or {}
    if refused or not_attempted:
        return _rollout_lines(title, succeeded, failed, refused, not_attempted, seconds, width)
    if failure and not failed and not succeeded and "\n" in failure.strip():
        headline, *details = [text for text in failure.strip().splitlines() if text.strip()]
        return [shorten_middle(f"{title}: {headline} ({seconds:.0f} s)", width)] + [
            "  " + shorten_middle(text, width - 2) for text in details]
    total = len(succeeded) + len(failed)
    causes = group_causes(failed, failure)
    if failed and not succeeded:
        head = f"{title}: failed in {len(failed)} of {total} region(s) ({seconds:.0f} s)"
    elif failed:
        head = f"{title}: succeeded in {len(succeeded)} region(s), failed in {len(failed)} of {total} ({seconds:.0f} s)"
    elif failure:
        head = f"{title}: the workflow failed ({seconds:.0f} s)"
    else:
        head = f"{title}: succeeded in {len(succeeded)} region(s) ({seconds:.0f} s)"
    room = width - len(head) - 2
    # every region failed for one reason that fits whole: the count line says where, so it holds the reason too
    if (len(causes) == 1 and not succeeded and len(causes[0].regions) == len(failed)
            and len(shorten_middle(causes[0].reason, 10**6)) <= room):
        return [f"{head}: {shorten_middle(causes[0].reason, room)}"]
    return [shorten(head, width)] + ["  " + cause_line(cause, width - 2) for cause in causes]


CANARY_FAILED = re.compile(r"^canary (\S+) failed: ")  # workflows/rollout.py's reason for the regions it skipped


def _rollout_lines(title: str, succeeded: list[str], failed: dict[str, str], refused: dict[str, str],
                   not_attempted: dict[str, str], seconds: float, width: int) -> list[str]:
    """`title: S succeeded, F failed, R refused, N not attempted of T region(s) (x s): why not attempted`, one line
    per failure cause the count line does not already give, then the refused regions with their scores."""
    counts = [(word, len(found)) for word, found in (("succeeded", succeeded), ("failed", failed),
                                                     ("refused", refused), ("not attempted", not_attempted))]
    total = sum(count for _, count in counts)
    head = f"{title}: {', '.join(f'{count} {word}' for word, count in counts if count)} of {total} region(s)"
    head = shorten(f"{head} ({seconds:.0f} s)", width)
    why_not = sorted(set(not_attempted.values()))
    said = {match.group(1) for reason in why_not if (match := CANARY_FAILED.match(reason))}  # the canary's failure
    room = width - len(head) - 2
    if why_not and room >= 30:  # the reason is cut in its middle rather than the counts
        head += f": {shorten_middle('; '.join(why_not), room)}"
    elif why_not:
        said = set()
    lines = [head]
    lines += ["  " + cause_line(cause, width - 2) for cause in group_causes(failed) if not set(cause.regions) <= said]
    if refused:
        listed = "; ".join(f"{region} {reason}" for region, reason in refused.items())
        lines.append("  " + shorten(f"refused (below MinF1): {listed}", width - 2))
    return lines


def scored_rows(rows: list[dict], evaluation: dict[str, dict[str, dict]]) -> list[dict]:
    """Rows with their version's F1 in that region added to the detail (a build's, a gated start's)."""
    scored = []
    for row in rows:
        f1 = ((evaluation.get(row.get("version"), {}).get(row.get("region")) or {}).get("f1"))
        if f1 is not None and not row.get("error"):
            row = {**row, "detail": "; ".join(filter(None, [row.get("detail"), f"F1 {f1:.3f}"]))}
        scored.append(row)
    return scored


def spread_lines(evaluation: dict[str, dict[str, dict]], width: int = MAX_LINE) -> list[str]:
    """One line per version evaluated in several regions: its F1 spread (workflows/quality.py)."""
    from workflows.quality import spreads

    return ["  " + shorten(f"{version}: {spread.text()}", min(width, MAX_LINE) - 2)
            for version, spread in spreads(evaluation).items() if spread.regions > 1]
