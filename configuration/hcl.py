"""Read Terraform variable defaults and .tfvars files with python-hcl2.

python-hcl2 8.x keeps HCL quotes in strings ('"us-east-1"') and in block labels; this module strips them.
"""

from pathlib import Path
from typing import Any


class ConfigFileError(ValueError):
    """A .tf or .tfvars file that cannot be parsed."""


def _unquote(value: Any) -> Any:
    if isinstance(value, str):
        if len(value) >= 2 and value[0] == value[-1] == '"':
            return value[1:-1]
        return value
    if isinstance(value, list):
        return [_unquote(v) for v in value]
    if isinstance(value, dict):
        return {_unquote(k): _unquote(v) for k, v in value.items() if not str(k).startswith("__")}
    return value


def _parse(path: Path) -> dict[str, Any]:
    import hcl2  # deferred: keeps `cli.py --help` fast

    try:
        with path.open() as handle:
            return hcl2.load(handle)
    except Exception as exc:  # noqa: BLE001 - python-hcl2 raises lark errors of many types
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigFileError(f"{path}: cannot parse: {first_line}") from None


def read_tfvars(path: Path) -> dict[str, Any]:
    """Values assigned in a .tfvars file, quotes stripped."""
    return {k: _unquote(v) for k, v in _parse(path).items() if not k.startswith("__")}


def read_variable_defaults(path: Path) -> dict[str, Any]:
    """Defaults of the `variable` blocks of a .tf file (variables without a default are left out)."""
    defaults: dict[str, Any] = {}
    for block in _parse(path).get("variable", []):
        for name, body in block.items():
            if "default" in body:
                defaults[_unquote(name)] = _unquote(body["default"])
    return defaults


def read_env_values(defaults: dict[str, Any], environ: dict[str, str]) -> dict[str, Any]:
    """TF_VAR_<name> values for the known variables, read as Terraform does: raw for strings, HCL otherwise."""
    values: dict[str, Any] = {}
    for name, default in defaults.items():
        raw = environ.get(f"TF_VAR_{name}")
        if raw is None:
            continue
        if isinstance(default, str):
            values[name] = raw
            continue
        import hcl2

        try:
            values[name] = _unquote(hcl2.loads(f"v = {raw}\n")["v"])
        except Exception:  # noqa: BLE001 - lark errors of many types
            raise ConfigFileError(f"TF_VAR_{name}={raw!r} is not a valid value") from None
    return values
