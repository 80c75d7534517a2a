"""Settings come from terraform/variables.tf and tfvars, with Terraform's precedence."""

from pathlib import Path

import pytest

from configuration.hcl import ConfigFileError
from configuration.names import InvalidNameError, validate_name
from configuration.regions import CUSTOM_LABELS_REGIONS, UnknownRegionError
from configuration.resources import derive_resources
from configuration.settings import TERRAFORM_DIR, load_settings


def _terraform_dir(tmp_path: Path, tfvars: str | None = None, auto: str | None = None) -> Path:
    (tmp_path / "variables.tf").write_text((TERRAFORM_DIR / "variables.tf").read_text())
    if tfvars is not None:
        (tmp_path / "terraform.tfvars").write_text(tfvars)
    if auto is not None:
        (tmp_path / "zz.auto.tfvars").write_text(auto)
    return tmp_path


def test_defaults_come_from_variables_tf(tmp_path):
    settings = load_settings(_terraform_dir(tmp_path))
    assert settings.regions == CUSTOM_LABELS_REGIONS
    assert settings.poll_interval_seconds == 300
    assert settings.poll_policy == "adaptive"
    assert settings.project_name == "AWSDeepRacer"
    assert settings.max_inference_units is None


def test_tfvars_then_auto_then_extra_file_override(tmp_path):
    tf = _terraform_dir(tmp_path, 'regions = ["us-east-1", "eu-west-1"]\npoll_interval_seconds = 60\n', "poll_interval_seconds = 30\n")
    extra = tmp_path / "extra.tfvars"
    extra.write_text('project_name = "Cones"\nmax_inference_units = 3\n')
    settings = load_settings(tf, tfvars=extra)
    assert settings.regions == ("us-east-1", "eu-west-1")
    assert settings.poll_interval_seconds == 30
    assert settings.project_name == "Cones"
    assert settings.max_inference_units == 3


def test_quotes_kept_by_python_hcl2_are_stripped(tmp_path):
    settings = load_settings(_terraform_dir(tmp_path, 'management_region = "eu-west-1"\nregions = ["eu-west-1"]\n'))
    assert settings.management_region == "eu-west-1"
    assert settings.regions == ("eu-west-1",)


def test_local_tfvars_polls_in_seconds():
    settings = load_settings(tfvars=TERRAFORM_DIR / "local.tfvars")
    assert settings.poll_interval_seconds < 10
    assert settings.poll_policy == "fixed"  # adaptive's quiet periods are AWS's minutes, the emulator's are seconds
    assert set(settings.regions) == set(CUSTOM_LABELS_REGIONS)


@pytest.mark.parametrize(
    ("content", "error", "fragment"),
    [
        ('regions = ["us-east-1", "mars-north-1"]\n', UnknownRegionError, "mars-north-1"),
        ('regions = []\n', UnknownRegionError, "no regions"),
        ('project_name = "bad name!"\n', InvalidNameError, "invalid project name"),
        ('poll_interval_seconds = 0\n', ConfigFileError, "poll_interval_seconds"),
        ('poll_policy = "sometimes"\n', ConfigFileError, "poll_policy 'sometimes' is not one of adaptive, fixed"),
        ('regions = [\n', ConfigFileError, "cannot parse"),
    ],
)
def test_bad_settings_give_one_readable_line(tmp_path, content, error, fragment):
    with pytest.raises(error) as raised:
        load_settings(_terraform_dir(tmp_path, content))
    message = str(raised.value)
    assert fragment in message
    assert "\n" not in message


def test_missing_extra_file_is_reported(tmp_path):
    with pytest.raises(ConfigFileError, match="does not exist"):
        load_settings(_terraform_dir(tmp_path), tfvars=tmp_path / "nope.tfvars")


@pytest.mark.parametrize("name", ["first", "v1.2_beta-3", "a" * 255])
def test_valid_names(name):
    assert validate_name("version name", name) == name


@pytest.mark.parametrize("name", ["", "has space", "slash/no", "a" * 256, "ünicode"])
def test_invalid_names(name):
    with pytest.raises(InvalidNameError):
        validate_name("version name", name)


def test_naming_rule_gives_valid_bucket_names_for_every_region(tmp_path):
    settings = load_settings(_terraform_dir(tmp_path))
    resources = derive_resources(settings, "123456789012")
    names = [resources.management_bucket, *resources.training_buckets.values(), *resources.output_buckets.values()]
    assert len(set(names)) == 1 + 2 * len(CUSTOM_LABELS_REGIONS)
    for bucket in names:
        assert 3 <= len(bucket) <= 63 and bucket == bucket.lower()
    assert resources.sns_topic_arn == "arn:aws:sns:us-east-1:123456789012:global-custom-labels-notifications"


def test_the_poll_policies_settings_accept_are_the_workflows_and_terraforms():
    from configuration.settings import POLL_POLICIES
    from workflows.polling import POLICIES

    assert set(POLL_POLICIES) == set(POLICIES)
    variables = (TERRAFORM_DIR / "variables.tf").read_text()
    assert f"contains({list(POLL_POLICIES)!r}, var.poll_policy)".replace("'", '"') in variables


def test_tf_var_environment_sits_between_defaults_and_tfvars_like_terraform(tmp_path, monkeypatch):
    monkeypatch.setenv("TF_VAR_poll_policy", "fixed")
    monkeypatch.setenv("TF_VAR_poll_interval_seconds", "60")
    monkeypatch.setenv("TF_VAR_regions", '["eu-west-1", "us-east-1"]')
    settings = load_settings(_terraform_dir(tmp_path))
    assert (settings.poll_policy, settings.poll_interval_seconds) == ("fixed", 60)
    assert settings.regions == ("eu-west-1", "us-east-1")
    overridden = load_settings(_terraform_dir(tmp_path, 'poll_policy = "backoff"\n'))
    assert (overridden.poll_policy, overridden.poll_interval_seconds) == ("backoff", 60)


def test_a_bad_tf_var_value_is_one_readable_line(tmp_path, monkeypatch):
    monkeypatch.setenv("TF_VAR_poll_interval_seconds", "[")
    with pytest.raises(ConfigFileError, match=r"^TF_VAR_poll_interval_seconds='\[' is not a valid value$"):
        load_settings(_terraform_dir(tmp_path))


def test_the_local_stack_polls_every_interval_whatever_tfvars_it_is_given(tmp_path, monkeypatch):
    from local_stack.config import StackConfig

    three = tmp_path / "three.tfvars"
    three.write_text('regions = ["us-east-1", "eu-west-1"]\npoll_interval_seconds = 2\n')
    for key, value in StackConfig(state_dir=tmp_path, tfvars=three).environment("us-east-1").items():
        monkeypatch.setenv(key, value)  # what the stack's worker gets
    terraform_dir = tmp_path / "terraform"
    terraform_dir.mkdir()
    settings = load_settings(_terraform_dir(terraform_dir))
    assert (settings.regions, settings.poll_policy) == (("us-east-1", "eu-west-1"), "fixed")


def test_canary_region_defaults_to_none_and_must_be_one_of_the_regions(tmp_path):
    assert load_settings(_terraform_dir(tmp_path)).canary_region is None
    chosen = load_settings(_terraform_dir(tmp_path, 'regions = ["us-east-1", "eu-west-1"]\ncanary_region = "eu-west-1"\n'))
    assert chosen.canary_region == "eu-west-1"
    with pytest.raises(ConfigFileError, match=r"^canary_region 'ap-south-1' is not one of regions \(us-east-1, eu-west-1\)$"):
        load_settings(_terraform_dir(tmp_path, 'regions = ["us-east-1", "eu-west-1"]\ncanary_region = "ap-south-1"\n'))


@pytest.mark.parametrize("hours", ["9000", "1000000000"])
def test_a_default_ttl_longer_than_any_start_may_take_is_refused(tmp_path, hours):
    """A guard's stop time beyond the longest TtlHours (8784 h) is refused by the project's owner: the default
    must not produce one (terraform's validation says the same)."""
    with pytest.raises(ConfigFileError, match=r"^inference_ttl_hours must be 0 \(no guard\) or at most 8784 hours"):
        load_settings(_terraform_dir(tmp_path, f"inference_ttl_hours = {hours}\n"))
    assert load_settings(_terraform_dir(tmp_path, "inference_ttl_hours = 8784\n")).inference_ttl_hours == 8784
