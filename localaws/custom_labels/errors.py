"""Rekognition errors with the exact codes AWS sends, so boto3 raises client.exceptions.<Code>."""

from __future__ import annotations


class RekognitionError(Exception):
    status = 400

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def not_found(message: str) -> RekognitionError:
    return RekognitionError("ResourceNotFoundException", message)


def in_use(message: str) -> RekognitionError:
    return RekognitionError("ResourceInUseException", message)


def invalid(message: str) -> RekognitionError:
    return RekognitionError("InvalidParameterException", message)


def not_ready(message: str) -> RekognitionError:
    return RekognitionError("ResourceNotReadyException", message)
