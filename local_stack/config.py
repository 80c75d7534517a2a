"""Where the local stack keeps its state and which loopback ports it uses (all overridable by env)."""

import os
from dataclasses import dataclass
from pathlib import Path

from configuration.settings import PROJECT_ROOT

HOST = "127.0.0.1"
NAMESPACE = "default"
ACCOUNT_ID = "123456789012"
FAKE_ACCESS_KEY = "testing"
FAKE_SECRET_KEY = "testing"  # nosec B105 - fake credentials accepted by the local endpoint only
LOCAL_TFVARS = PROJECT_ROOT / "terraform" / "local.tfvars"

# Emulated Rekognition durations (seconds) so a whole build/start/stop/delete takes seconds, not hours.
EMULATOR_TIMING = {"mode": "time", "TRAINING": 3, "STARTING": 1, "STOPPING": 1, "DELETING": 1}


def _port(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        port = int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a port number") from None
    if not 0 < port < 65536:
        raise ValueError(f"{name}={raw!r} is not a port number")
    return port


@dataclass(frozen=True)
class StackConfig:
    state_dir: Path
    aws_port: int = 4566
    temporal_port: int = 7233
    temporal_ui_port: int = 8233
    inference_port: int = 8710
    tfvars: Path = LOCAL_TFVARS

    @classmethod
    def from_env(cls) -> "StackConfig":
        """Ports from GCL_*_PORT, state under $GCL_STATE_DIR or ./.local-stack, settings from $GCL_TFVARS or local.tfvars."""
        state_dir = Path(os.environ.get("GCL_STATE_DIR") or PROJECT_ROOT / ".local-stack").resolve()
        tfvars = Path(os.environ["GCL_TFVARS"]).resolve() if os.environ.get("GCL_TFVARS") else LOCAL_TFVARS
        return cls(
            state_dir=state_dir,
            aws_port=_port("GCL_AWS_PORT", 4566),
            temporal_port=_port("GCL_TEMPORAL_PORT", 7233),
            temporal_ui_port=_port("GCL_TEMPORAL_UI_PORT", 8233),
            inference_port=_port("GCL_INFERENCE_PORT", 8710),
            tfvars=tfvars,
        )

    @property
    def aws_url(self) -> str:
        return f"http://{HOST}:{self.aws_port}"

    @property
    def temporal_address(self) -> str:
        return f"{HOST}:{self.temporal_port}"

    @property
    def ui_url(self) -> str:
        return f"http://{HOST}:{self.temporal_ui_port}"

    @property
    def inference_url(self) -> str:
        return f"http://{HOST}:{self.inference_port}"

    @property
    def logs_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def pids_dir(self) -> Path:
        return self.state_dir / "pids"

    @property
    def env_file(self) -> Path:
        return self.state_dir / "env"

    @property
    def temporal_db(self) -> Path:
        return self.state_dir / "temporal.db"

    def environment(self, management_region: str) -> dict[str, str]:
        """What a shell (or a child process) needs to talk to this stack instead of AWS."""
        return {
            "AWS_ENDPOINT_URL": self.aws_url,
            "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_KEY,
            "AWS_DEFAULT_REGION": management_region,
            "TEMPORAL_ADDRESS": self.temporal_address,
            "TEMPORAL_NAMESPACE": NAMESPACE,
            "TEMPORAL_CONFIG_FILE": os.devnull,  # no profile file may add a Cloud key or TLS to the local server
            "GCL_TFVARS": str(self.tfvars),
            # the emulator runs AWS's minutes as seconds, so adaptive's 30-minute quiet period would stall a
            # local build: poll every interval unless the tfvars file itself names a policy
            "TF_VAR_poll_policy": "fixed",
            "GCL_ACCOUNT_ID": ACCOUNT_ID,
            "GCL_IGNORE_TERRAFORM_STATE": "1",
            "GCL_STATE_DIR": str(self.state_dir),
            "GCL_TEMPORAL_UI_URL": self.ui_url,
            "GCL_INFERENCE_URL": self.inference_url,
        }
