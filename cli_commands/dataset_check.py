"""`sync`'s dataset preflight: the manifests about to be uploaded checked against the Custom Labels rules, with the
images read from the local folder (size and first bytes only), so a dataset that cannot train is refused before
a byte is uploaded and replicated to every region. The rules are the build's (configuration.dataset_preflight).
"""

from pathlib import Path

from cli_commands.datasets import SyncPlan, match_ref
from cli_commands.errors import UserError
from configuration.dataset_rules import ImageFacts, Report, findings_message


def _local_probe(plan: SyncPlan, source: Path):
    """Images by their source-ref: the dataset file it names (as sync maps refs), else missing."""
    from configuration.dataset_preflight import image_facts

    def probe(bucket: str, key: str) -> ImageFacts:
        relative = match_ref(f"s3://{bucket}/{key}", plan.relative_paths, source)
        if relative is None:
            return ImageFacts(exists=False)
        path = source / relative
        size = path.stat().st_size
        with path.open("rb") as image:
            def read_at(offset: int, length: int) -> bytes:
                image.seek(offset)
                return image.read(length)

            return image_facts(size, read_at)

    return probe


def check_plan(plan: SyncPlan, source: Path, regions: list[str]) -> dict[str, Report]:
    """Each manifest's report; UserError with the findings (one per line) when any would not train."""
    from configuration.dataset_preflight import check_manifest

    reports = {}
    for key, path in plan.manifest_files.items():
        with path.open("rb") as manifest:
            reports[key] = check_manifest(manifest.read, path.stat().st_size, _local_probe(plan, source),
                                          regions=regions, workers=4)
    rejected = {key: report for key, report in reports.items() if report.rejected}
    if rejected:
        key, report = next(iter(rejected.items()))
        headline = (f"manifest {Path(key).name} would not train: {report.findings_total} problem(s); nothing was "
                    "uploaded (--no-check uploads anyway, the build checks again)")
        raise UserError(findings_message(headline, report.findings, report.findings_total))
    return reports
