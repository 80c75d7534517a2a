"""`predict IMAGE`: post an image to the global endpoint like the seed's postImage.sh; show who answered."""

import json
import os
import uuid
from pathlib import Path
from typing import Annotated

import typer

from cli_commands import environment, output
from cli_commands.errors import UserError, one_line_errors

_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def multipart_body(field: str, filename: str, content: bytes, content_type: str) -> tuple[bytes, str]:
    boundary = f"gcl-{uuid.uuid4().hex}"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
            f"Content-Type: {content_type}\r\n\r\n").encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def global_endpoint(explicit: str | None) -> str:
    """--endpoint, else the running local stack's global adapter, else Terraform's accelerator DNS name."""
    if explicit:
        return explicit.rstrip("/")
    if os.environ.get("GCL_INFERENCE_URL"):
        return os.environ["GCL_INFERENCE_URL"].rstrip("/")
    from configuration.resources import terraform_outputs

    dns = (terraform_outputs() or {}).get("accelerator_dns_name")
    if not dns:
        raise UserError("no global endpoint: pass --endpoint URL, deploy with terraform apply, or start the local stack")
    return f"http://{dns}"


def post_image(endpoint: str, image: Path, project: str, version: str, timeout: float = 30.0) -> dict:
    """POST multipart `image` to ?ProjectName=&VersionName=; returns the JSON answer plus the serving region."""
    import urllib.error
    import urllib.parse
    import urllib.request

    body, content_type = multipart_body("image", image.name, image.read_bytes(),
                                        _TYPES.get(image.suffix.lower(), "application/octet-stream"))
    query = urllib.parse.urlencode({"ProjectName": project, "VersionName": version})
    request = urllib.request.Request(f"{endpoint}/?{query}", data=body, method="POST",
                                     headers={"Content-Type": content_type})
    if not request.full_url.startswith(("http://", "https://")):
        raise UserError(f"endpoint {endpoint!r} must start with http:// or https://")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # nosec B310 - scheme checked above
            answer = json.loads(response.read() or b"{}")
            served = response.headers.get("X-Served-Region")
            source = response.headers.get("X-Prediction-Source")
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:300].decode(errors="replace").strip()
        raise UserError(f"{endpoint} answered {exc.code} {exc.reason}: {detail}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise UserError(f"cannot reach {endpoint}: {getattr(exc, 'reason', exc)}") from None
    except json.JSONDecodeError:
        raise UserError(f"{endpoint} did not answer JSON") from None
    answer.setdefault("Region", served)
    answer["ServedRegion"] = served or answer.get("Region")
    if source:  # the local stack: the labels come from the emulator, not from a trained model
        answer["PredictionSource"] = source
    return answer


@one_line_errors
def predict(
    image: Annotated[Path, typer.Argument(help="PNG or JPEG (<= 4 MB, 64-4096 px).", show_default=False)],
    version: Annotated[str | None, typer.Option("--version", "--versions", "-v", help="Version (default: default_version_name).")] = None,
    project: Annotated[str | None, typer.Option("--project", "-p", help="Project (default: project_name).")] = None,
    endpoint: Annotated[str | None, typer.Option("--endpoint", help="Base URL (default: local stack or Global Accelerator).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Ask the nearest region running the model for the image's custom labels."""
    environment.use_local_stack_if_running()
    if not image.is_file():
        raise UserError(f"{image} is not a file")
    settings = environment.load_settings()
    project_name = environment.project_name(project, settings)
    version_name = environment.version_names([version or settings.default_version_name])[0]
    answer = post_image(global_endpoint(endpoint), image, project_name, version_name)
    if as_json:
        output.print_json(answer)
        return
    from rich.table import Table

    output.console.print(f"answered by [bold]{answer.get('ServedRegion')}[/bold] "
                         f"({answer.get('ProjectName', project_name)}/{answer.get('VersionName', version_name)})")
    if answer.get("PredictionSource"):
        output.console.print(f"[yellow]{answer['PredictionSource']}[/yellow]")
    table = Table()
    table.add_column("Label")
    table.add_column("Confidence", justify="right")
    for label in answer.get("CustomLabels", []):
        table.add_row(str(label.get("Name")), f"{float(label.get('Confidence', 0)):.1f}")
    output.console.print(table)
