"""Where `adopt` puts a project's data in the management bucket. Pure functions: the same source, the same keys.

    adopted/{project}/images/{source bucket}/{source key}      every image, copied once, shared by the versions
    adopted/{project}/{version}/train.manifest                 the training entries, source-refs -> the copies
    adopted/{project}/{version}/test.manifest                  the test entries (when the source had a test set)
    adopted/{project}/{version}/images.jsonl                   the distinct source images, sorted (the copy list)

Keys are deterministic so that a retried or repeated adopt finds what an earlier attempt copied instead of
copying it again. A source bucket and key that would make a key over S3's 1,024 bytes are replaced by a hash of
the source URI, keeping the end of the file name (its extension).
"""

import hashlib

PREFIX = "adopted"
MAX_KEY_BYTES = 1024  # S3's longest object key
HASH_CHARS = 32


def project_prefix(project: str) -> str:
    return f"{PREFIX}/{project}/"


def copied_image_key(project: str, bucket: str, key: str) -> str:
    """The copy of s3://bucket/key in the management bucket."""
    plain = f"{project_prefix(project)}images/{bucket}/{key}"
    if len(plain.encode()) <= MAX_KEY_BYTES:
        return plain
    digest = hashlib.sha256(f"s3://{bucket}/{key}".encode()).hexdigest()[:HASH_CHARS]
    head = f"{project_prefix(project)}images/~{digest}/"
    room = MAX_KEY_BYTES - len(head.encode())
    tail = key.rsplit("/", 1)[-1].encode()[-room:].decode("utf-8", errors="ignore")
    return head + tail


def manifest_key(project: str, version: str, purpose: str) -> str:
    """`purpose` is "train" or "test"."""
    return f"{project_prefix(project)}{version}/{purpose}.manifest"


def images_list_key(project: str, version: str) -> str:
    return f"{project_prefix(project)}{version}/images.jsonl"
