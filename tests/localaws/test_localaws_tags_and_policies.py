"""Tags on projects, versions and datasets, and project policies, over HTTP with boto3 (API reference of
TagResource, UntagResource, ListTagsForResource, PutProjectPolicy, ListProjectPolicies, DeleteProjectPolicy)."""

import json

import pytest
from botocore.exceptions import ClientError
from localaws_support import assert_valid_output, seed_dataset

REGION = "us-east-1"


def code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


@pytest.fixture
def resources(local_aws, fast, rekognition):
    rek = rekognition(REGION)
    args = seed_dataset(local_aws.url, REGION)
    project = rek.create_project(ProjectName="tagged", Tags={"team": "vision", "cost center": "42"})["ProjectArn"]
    version = rek.create_project_version(ProjectArn=project, VersionName="v1", Tags={"stage": "dev"},
                                         **args)["ProjectVersionArn"]
    other = rek.create_project(ProjectName="with-dataset")["ProjectArn"]
    dataset = rek.create_dataset(ProjectArn=other, DatasetType="TRAIN", Tags={"kind": "train"})["DatasetArn"]
    return rek, project, version, dataset


def test_tags_given_at_creation_are_stored_and_listed(resources):
    rek, project, version, dataset = resources
    expected = {project: {"team": "vision", "cost center": "42"}, version: {"stage": "dev"}, dataset: {"kind": "train"}}
    for arn, tags in expected.items():
        listed = rek.list_tags_for_resource(ResourceArn=arn)
        assert_valid_output("ListTagsForResource", listed)
        assert listed["Tags"] == tags


def test_tag_and_untag(resources):
    rek, project, version, _ = resources
    assert_valid_output("TagResource", rek.tag_resource(ResourceArn=version, Tags={"stage": "prod", "owner": "me"}))
    assert rek.list_tags_for_resource(ResourceArn=version)["Tags"] == {"stage": "prod", "owner": "me"}
    assert_valid_output("UntagResource", rek.untag_resource(ResourceArn=version, TagKeys=["stage", "absent"]))
    assert rek.list_tags_for_resource(ResourceArn=version)["Tags"] == {"owner": "me"}
    assert rek.list_tags_for_resource(ResourceArn=project)["Tags"]["team"] == "vision"  # others untouched


def test_tag_errors(resources):
    rek, project, _, _ = resources
    for bad in ({"aws:reserved": "x"}, {"bad|char": "x"}, {"k" * 129: "x"}, {"ok": "v" * 257}):
        with pytest.raises(ClientError) as excinfo:
            rek.tag_resource(ResourceArn=project, Tags=bad)
        assert code(excinfo) == "InvalidParameterException", bad
    with pytest.raises(ClientError) as excinfo:
        rek.tag_resource(ResourceArn=project, Tags={f"key{i}": "v" for i in range(199)})
    assert code(excinfo) == "ServiceQuotaExceededException"  # 2 tags already + 199 > 200
    gone = project.replace("/tagged/", "/absent/")
    with pytest.raises(ClientError) as excinfo:
        rek.list_tags_for_resource(ResourceArn=gone)
    assert code(excinfo) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        rek.list_tags_for_resource(ResourceArn="arn:aws:s3:::not-rekognition-bucket")
    assert code(excinfo) == "InvalidParameterException"
    with pytest.raises(ClientError) as excinfo:
        rek.create_project(ProjectName="bad-tags", Tags={"aws:x": "y"})
    assert code(excinfo) == "InvalidParameterException"
    assert [p for p in rek.describe_projects()["ProjectDescriptions"] if "bad-tags" in p["ProjectArn"]] == []


def policy(account: str = "111122223333") -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": "rekognition:CopyProjectVersion", "Resource": "*"}]})


def test_project_policies_revisions_and_pages(resources):
    rek, project, _, _ = resources
    put = rek.put_project_policy(ProjectArn=project, PolicyName="copy", PolicyDocument=policy())
    assert_valid_output("PutProjectPolicy", put)
    first = put["PolicyRevisionId"]
    with pytest.raises(ClientError) as excinfo:  # the name exists: a change needs its revision
        rek.put_project_policy(ProjectArn=project, PolicyName="copy", PolicyDocument=policy())
    assert code(excinfo) == "ResourceAlreadyExistsException"
    with pytest.raises(ClientError) as excinfo:
        rek.put_project_policy(ProjectArn=project, PolicyName="copy", PolicyRevisionId="abc123", PolicyDocument=policy())
    assert code(excinfo) == "InvalidPolicyRevisionIdException"
    second = rek.put_project_policy(ProjectArn=project, PolicyName="copy", PolicyRevisionId=first,
                                    PolicyDocument=policy("444455556666"))["PolicyRevisionId"]
    assert second != first
    for index in range(5):
        rek.put_project_policy(ProjectArn=project, PolicyName=f"p{index}", PolicyDocument=policy())
    pages = list(rek.get_paginator("list_project_policies").paginate(ProjectArn=project))
    for page in pages:
        assert_valid_output("ListProjectPolicies", page)
    assert [len(page["ProjectPolicies"]) for page in pages] == [5, 1]  # at most 5 per page
    listed = {p["PolicyName"]: p for page in pages for p in page["ProjectPolicies"]}
    assert listed["copy"]["PolicyRevisionId"] == second and "444455556666" in listed["copy"]["PolicyDocument"]
    with pytest.raises(ClientError) as excinfo:
        rek.list_project_policies(ProjectArn=project, MaxResults=6)
    assert code(excinfo) == "InvalidParameterException"
    with pytest.raises(ClientError) as excinfo:
        rek.delete_project_policy(ProjectArn=project, PolicyName="copy", PolicyRevisionId=first)
    assert code(excinfo) == "InvalidPolicyRevisionIdException"
    assert_valid_output("DeleteProjectPolicy", rek.delete_project_policy(ProjectArn=project, PolicyName="copy",
                                                                         PolicyRevisionId=second))
    with pytest.raises(ClientError) as excinfo:
        rek.delete_project_policy(ProjectArn=project, PolicyName="copy")
    assert code(excinfo) == "ResourceNotFoundException"


@pytest.mark.parametrize("document", ["not json", "{}", json.dumps({"Statement": [{"Effect": "Allow", "Action": "x"}]})])
def test_malformed_policy_documents(resources, document):
    rek, project, _, _ = resources
    with pytest.raises(ClientError) as excinfo:
        rek.put_project_policy(ProjectArn=project, PolicyName="bad", PolicyDocument=document)
    assert code(excinfo) == "MalformedPolicyDocumentException"
