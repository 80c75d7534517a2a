"""How an operation ended, in one glance: every row settled, one short line per distinct cause.

The workflow's rows can still say CHECKING for a region whose child failed (its last report came before the
failure). Once the operation is over nothing is in progress any more, so such rows take the region's
failure (or the workflow's) as their final status. Causes that differ only by the region's name (regional
bucket names) are grouped: "manifest s3://gcl-train-...-<region>/m not found: 11 regions (us-east-1, ...)".
"""

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
    """Distinct reasons, most regions first; a reason naming its region counts as the same reason everywhere."""
    groups: dict[str, list[str]] = {}
    for region, reason in failed.items():
        groups.setdefault(" ".join(str(reason).replace(region, REGION_MARK).split()), []).append(region)
    if failure and not failed:
        groups.setdefault(" ".join(failure.split()), [])
    causes = [Cause(reason, sorted(regions)) for reason, regions in groups.items()]
    return sorted(causes, key=lambda cause: (-len(cause.regions), cause.reason))


def shorten_middle(text: str, width: int) -> str:
    """Cut the middle (long S3 paths) so that both the start and the end of a reason stay readable."""
    flat = " ".join(str(text).split())
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


def summary_lines(title: str, succeeded: list[str], failed: dict[str, str], failure: str | None, seconds: float,
                  width: int = MAX_LINE) -> list[str]:
    """The closing lines: the count line (holding the cause when there is only one), then one line per cause."""
    width = min(width, MAX_LINE)
    total = len(succeeded) + len(failed)
    causes = group_causes(failed, failure)
    head = f"{title}: succeeded in {len(succeeded)} region(s)"
    if failed:
        head += f", failed in {len(failed)} of {total}"
    elif failure:
        head += ", the workflow failed"
    head += f" ({seconds:.0f} s)"
    room = width - len(head) - 2
    if len(causes) == 1 and room >= 60:  # the one cause fits on the count line
        return [f"{head}: {cause_line(causes[0], room)}"]
    return [shorten(head, width)] + ["  " + cause_line(cause, width - 2) for cause in causes]
