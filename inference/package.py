"""Build the inference Lambda zip: `python -m inference.package --output build/inference-lambda.zip`.

The zip is byte-for-byte reproducible (fixed timestamps and permissions, sorted entries), so Terraform's
source_code_hash only changes when the code does. handler.py sits at the zip root next to the sibling
modules it imports; Terraform uses handler `handler.lambda_handler` on python3.12.
"""

import argparse
import sys
import zipfile
from pathlib import Path

SOURCE_DIR = Path(__file__).resolve().parent
# Everything the handler imports from this folder; tests check the list against handler.py's imports.
LAMBDA_MODULES = (
    "alb_events.py",
    "api_key.py",
    "handler.py",
    "model_versions.py",
    "multipart_form.py",
    "request_log.py",
)
FIXED_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can carry


def build_zip(output: Path, source_dir: Path = SOURCE_DIR) -> Path:
    """Write the deployment zip to `output` and return its path."""
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.with_name(output.name + ".tmp")
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(LAMBDA_MODULES):
            entry = zipfile.ZipInfo(name, date_time=FIXED_TIMESTAMP)
            entry.external_attr = (0o100644 & 0xFFFF) << 16
            entry.create_system = 3  # unix, so the permissions above are honoured
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, (source_dir / name).read_bytes(), compresslevel=9)
    temporary.replace(output)
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m inference.package", description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path("build/inference-lambda.zip"))
    args = parser.parse_args(argv)
    try:
        path = build_zip(args.output)
    except OSError as exc:
        print(f"error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
