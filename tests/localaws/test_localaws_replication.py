"""S3 replication done by the local endpoint: rules, statuses, delete markers, not retroactive."""

import boto3
import pytest
from localaws_support import client, create_bucket

ROLE = "arn:aws:iam::123456789012:role/replication"


@pytest.fixture
def buckets(local_aws, emulator):
    """A versioned source in us-east-1 and versioned destinations in two other regions."""
    emulator.configure({"replication_delay_seconds": 0.2})
    for name, region in (("source", "us-east-1"), ("dest-eu", "eu-west-1"), ("dest-ap", "ap-south-1")):
        create_bucket(local_aws.url, region, name, versioned=True)
    return client("s3", "us-east-1", local_aws.url)


def _rule(rule_id, priority, destination, flt, delete_markers="Disabled"):
    return {
        "ID": rule_id,
        "Priority": priority,
        "Status": "Enabled",
        "Filter": flt,
        "Destination": {"Bucket": f"arn:aws:s3:::{destination}"},
        "DeleteMarkerReplication": {"Status": delete_markers},
    }


def _keys(s3, bucket):
    return sorted(item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


def test_put_is_replicated_with_pending_then_completed(buckets, emulator):
    s3 = buckets
    s3.put_object(Bucket="source", Key="before.txt", Body=b"existed before the rule")
    s3.put_bucket_replication(
        Bucket="source",
        ReplicationConfiguration={"Role": ROLE, "Rules": [_rule("eu", 1, "dest-eu", {"Prefix": ""}), _rule("ap", 2, "dest-ap", {"Prefix": ""})]},
    )
    put = s3.put_object(Bucket="source", Key="data/a.txt", Body=b"hello", ContentType="text/plain", Metadata={"k": "v"})
    assert s3.head_object(Bucket="source", Key="data/a.txt")["ReplicationStatus"] == "PENDING"
    assert emulator.flush_replication()
    assert s3.head_object(Bucket="source", Key="data/a.txt")["ReplicationStatus"] == "COMPLETED"
    for destination in ("dest-eu", "dest-ap"):
        replica = s3.get_object(Bucket=destination, Key="data/a.txt")
        assert replica["Body"].read() == b"hello"
        assert replica["ReplicationStatus"] == "REPLICA"
        assert replica["VersionId"] == put["VersionId"]
        assert replica["Metadata"] == {"k": "v"}
        assert _keys(s3, destination) == ["data/a.txt"], "not retroactive: before.txt stays put"


def test_filters_priorities_tags_and_copies(buckets, emulator):
    s3 = buckets
    s3.put_bucket_replication(
        Bucket="source",
        ReplicationConfiguration={
            "Role": ROLE,
            "Rules": [
                _rule("eu-images", 1, "dest-eu", {"Prefix": "images/"}),
                _rule("ap-tagged", 2, "dest-ap", {"And": {"Prefix": "images/", "Tags": [{"Key": "sync", "Value": "yes"}]}}),
            ],
        },
    )
    s3.put_object(Bucket="source", Key="images/untagged.png", Body=b"1")
    s3.put_object(Bucket="source", Key="images/tagged.png", Body=b"2", Tagging="sync=yes")
    s3.put_object(Bucket="source", Key="other/skip.txt", Body=b"3")
    s3.copy_object(Bucket="source", Key="images/copied.png", CopySource={"Bucket": "source", "Key": "images/tagged.png"})
    assert "ReplicationStatus" not in s3.head_object(Bucket="source", Key="other/skip.txt")
    emulator.flush_replication()
    assert _keys(s3, "dest-eu") == ["images/copied.png", "images/tagged.png", "images/untagged.png"]
    assert _keys(s3, "dest-ap") == ["images/copied.png", "images/tagged.png"]
    assert s3.get_object_tagging(Bucket="dest-ap", Key="images/tagged.png")["TagSet"] == [{"Key": "sync", "Value": "yes"}]
    stored = s3.get_bucket_replication(Bucket="source")["ReplicationConfiguration"]["Rules"]
    assert stored[1]["Filter"] == {"And": {"Prefix": "images/", "Tags": [{"Key": "sync", "Value": "yes"}]}}


def test_highest_priority_rule_wins_for_one_destination(buckets, emulator):
    s3 = buckets
    s3.put_bucket_replication(
        Bucket="source",
        ReplicationConfiguration={
            "Role": ROLE,
            "Rules": [
                _rule("low", 1, "dest-eu", {"Prefix": ""}, delete_markers="Enabled"),
                _rule("high", 5, "dest-eu", {"Prefix": ""}, delete_markers="Disabled"),
            ],
        },
    )
    s3.put_object(Bucket="source", Key="k", Body=b"v")
    emulator.flush_replication()
    s3.delete_object(Bucket="source", Key="k")
    emulator.flush_replication()
    assert _keys(s3, "dest-eu") == ["k"], "the winning rule does not replicate delete markers"


def test_delete_markers_only_when_enabled(buckets, emulator):
    s3 = buckets
    s3.put_bucket_replication(
        Bucket="source",
        ReplicationConfiguration={
            "Role": ROLE,
            "Rules": [_rule("eu", 1, "dest-eu", {"Prefix": ""}, "Enabled"), _rule("ap", 2, "dest-ap", {"Prefix": ""}, "Disabled")],
        },
    )
    s3.put_object(Bucket="source", Key="gone.txt", Body=b"x")
    emulator.flush_replication()
    marker = s3.delete_object(Bucket="source", Key="gone.txt")
    emulator.flush_replication()
    assert _keys(s3, "dest-eu") == []
    replicated = s3.list_object_versions(Bucket="dest-eu")["DeleteMarkers"]
    assert [m["VersionId"] for m in replicated] == [marker["VersionId"]]
    assert _keys(s3, "dest-ap") == ["gone.txt"]


def test_configuration_needs_versioning_and_existing_destination(local_aws, emulator):
    create_bucket(local_aws.url, "us-east-1", "plain")
    create_bucket(local_aws.url, "us-east-1", "versioned", versioned=True)
    create_bucket(local_aws.url, "eu-west-1", "unversioned-dest")
    s3 = client("s3", "us-east-1", local_aws.url)
    cases = [("plain", "versioned"), ("versioned", "missing-bucket"), ("versioned", "unversioned-dest")]
    for source, destination in cases:
        with pytest.raises(s3.exceptions.ClientError) as error:
            s3.put_bucket_replication(
                Bucket=source, ReplicationConfiguration={"Role": ROLE, "Rules": [_rule("r", 1, destination, {"Prefix": ""})]}
            )
        assert error.value.response["Error"]["Code"] == "InvalidRequest"


def test_replication_fails_when_destination_disappears(buckets, emulator, local_aws):
    s3 = buckets
    emulator.configure({"replication_delay_seconds": 0.5})
    s3.put_bucket_replication(
        Bucket="source", ReplicationConfiguration={"Role": ROLE, "Rules": [_rule("eu", 1, "dest-eu", {"Prefix": ""})]}
    )
    boto3.client("s3", region_name="eu-west-1", endpoint_url=local_aws.url).delete_bucket(Bucket="dest-eu")
    s3.put_object(Bucket="source", Key="orphan.txt", Body=b"x")
    emulator.flush_replication()
    assert s3.head_object(Bucket="source", Key="orphan.txt")["ReplicationStatus"] == "FAILED"


def test_multipart_upload_is_replicated(buckets, emulator):
    s3 = buckets
    s3.put_bucket_replication(
        Bucket="source", ReplicationConfiguration={"Role": ROLE, "Rules": [_rule("eu", 1, "dest-eu", {"Prefix": ""})]}
    )
    upload = s3.create_multipart_upload(Bucket="source", Key="big.bin")
    part = s3.upload_part(Bucket="source", Key="big.bin", UploadId=upload["UploadId"], PartNumber=1, Body=b"z" * 1024)
    s3.complete_multipart_upload(
        Bucket="source", Key="big.bin", UploadId=upload["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )
    emulator.flush_replication()
    assert s3.get_object(Bucket="dest-eu", Key="big.bin")["Body"].read() == b"z" * 1024


def test_a_second_server_stopping_in_the_same_process_keeps_replication_running(buckets, emulator):
    """moto's state is process-wide: benches and tests start extra servers beside the session one."""
    from localaws.server import LocalAws

    other = LocalAws(host="127.0.0.1", port=0)
    other.start()
    other.stop()
    s3 = buckets
    s3.put_bucket_replication(
        Bucket="source", ReplicationConfiguration={"Role": ROLE, "Rules": [_rule("eu", 1, "dest-eu", {"Prefix": ""})]}
    )
    s3.put_object(Bucket="source", Key="after-restart.txt", Body=b"x")
    assert emulator.flush_replication()
    assert _keys(s3, "dest-eu") == ["after-restart.txt"]
