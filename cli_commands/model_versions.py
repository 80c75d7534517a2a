"""Every version of a project in every region, read live from Rekognition with one thread per region."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field


@dataclass
class RegionVersions:
    region: str
    project_exists: bool = False
    # {"version","arn","status","message","min_units","created","evaluation"}
    versions: list[dict] = field(default_factory=list)
    error: str | None = None


def _describe_region(region: str, project: str) -> RegionVersions:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    result = RegionVersions(region=region)
    try:
        client = boto3.client("rekognition", region_name=region)
        projects = client.describe_projects(ProjectNames=[project]).get("ProjectDescriptions", [])
        if not projects:
            return result
        result.project_exists = True
        paginator = client.get_paginator("describe_project_versions")
        for page in paginator.paginate(ProjectArn=projects[0]["ProjectArn"]):
            for item in page.get("ProjectVersionDescriptions", []):
                arn = item["ProjectVersionArn"]
                created = item.get("CreationTimestamp")
                result.versions.append({
                    "version": arn.split("/version/")[1].split("/")[0] if "/version/" in arn else arn,
                    "arn": arn,
                    "status": item.get("Status"),
                    "message": item.get("StatusMessage") or "",
                    "min_units": item.get("MinInferenceUnits"),
                    "created": created.isoformat() if hasattr(created, "isoformat") else created,
                    "evaluation": _evaluation(region, item),
                })
    except ClientError as exc:
        error = exc.response.get("Error", {})
        result.error = f"{error.get('Code')}: {error.get('Message')}"
    except BotoCoreError as exc:
        if type(exc).__name__ in ("NoCredentialsError", "PartialCredentialsError"):
            raise
        result.error = str(exc)
    result.versions.sort(key=lambda v: v["version"])
    return result


def _evaluation(region: str, item: dict) -> dict | None:
    """F1 (DescribeProjectVersions), precision, recall and test images (the summary file) of a trained version."""
    from dataclasses import asdict

    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    from configuration.evaluation import figures, read_figures, summary_location

    if "EvaluationResult" not in item:
        return None
    s3 = boto3.client("s3", region_name=region) if summary_location(item) else None
    try:
        return asdict(read_figures(item, lambda bucket, key: s3.get_object(Bucket=bucket, Key=key)["Body"].read()))
    except (BotoCoreError, ClientError):  # the summary file cannot be read: F1 alone, the version still shows
        return asdict(figures(item, None))


def describe_everywhere(project: str, regions: list[str]) -> list[RegionVersions]:
    """One entry per region, in the order given; regional failures are reported, not raised."""
    import boto3

    boto3.client("rekognition", region_name=regions[0])  # fail fast (one line) on a bad profile before threading
    with ThreadPoolExecutor(max_workers=min(16, len(regions))) as pool:
        return list(pool.map(lambda r: _describe_region(r, project), regions))


def missing_versions(project: str, versions: list[str], regions: list[str]) -> tuple[list[str], set[str], bool]:
    """(versions that exist in none of the regions - what a typo looks like -, every version found, project found)."""
    described = describe_everywhere(project, regions)
    found = {v["version"] for rv in described for v in rv.versions}
    if any(rv.error for rv in described):
        return [], found, True  # a region we cannot read may hold it: let the workflow decide per region
    return [v for v in versions if v not in found], found, any(rv.project_exists for rv in described)


def project_names(region: str) -> list[str]:
    """Every project in one region (for "did you mean"); empty when they cannot be listed."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        pages = boto3.client("rekognition", region_name=region).get_paginator("describe_projects").paginate()
        return [p["ProjectArn"].split(":project/")[1].split("/")[0] for page in pages
                for p in page.get("ProjectDescriptions", []) if ":project/" in p["ProjectArn"]]
    except (BotoCoreError, ClientError):
        return []
