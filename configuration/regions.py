"""The regions that offer Rekognition Custom Labels (see shared/FACTS.md)."""

CUSTOM_LABELS_REGIONS: tuple[str, ...] = (
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-west-1",
    "eu-west-2",
    "eu-central-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ap-northeast-2",
)

# Global Accelerator's control plane is only served from here, whatever the regions.
GLOBAL_ACCELERATOR_API_REGION = "us-west-2"


class UnknownRegionError(ValueError):
    """A region that does not offer Rekognition Custom Labels."""


def validate_regions(regions: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Return the regions unchanged, or raise one readable error naming the bad ones."""
    unknown = [r for r in regions if r not in CUSTOM_LABELS_REGIONS]
    if unknown:
        raise UnknownRegionError(
            f"unknown region(s) {', '.join(unknown)}: Custom Labels is offered in {', '.join(CUSTOM_LABELS_REGIONS)}"
        )
    if not regions:
        raise UnknownRegionError("no regions configured")
    if len(set(regions)) != len(regions):
        raise UnknownRegionError(f"regions listed twice in {list(regions)}")
    return tuple(regions)
