"""Rekognition's model states and what a polled one means for a wait. Pure: the version workflow and the
polling activity (activities/rekognition.py, await_version_status) judge a status the same way."""

from workflows import polling

# Rekognition states
TRAINING_IN_PROGRESS = "TRAINING_IN_PROGRESS"
TRAINING_COMPLETED = "TRAINING_COMPLETED"
TRAINING_FAILED = "TRAINING_FAILED"
STARTING = "STARTING"
RUNNING = "RUNNING"
FAILED = "FAILED"
STOPPING = "STOPPING"
STOPPED = "STOPPED"
DELETING = "DELETING"
DELETED = "DELETED"  # synthetic: DescribeProjectVersions no longer lists it (as the seed's Lambda did)
TRANSITIONAL = {STARTING, STOPPING}

# phase -> (status -> "wait" | "done" | "fail"), for the phases that poll DescribeProjectVersions
WAITING = "wait"
DONE = "done"
FAILED_OUTCOME = "fail"


def classify(phase: str, status: str) -> str:
    """Whether a polled status means keep waiting, the wait is over, or the operation failed."""
    if phase == polling.TRAINING:
        if status in (TRAINING_IN_PROGRESS, "COPYING_IN_PROGRESS"):
            return WAITING
        return FAILED_OUTCOME if status in (TRAINING_FAILED, DELETED, DELETING, "COPYING_FAILED") else DONE
    if phase == "settle":
        return WAITING if status in TRANSITIONAL else DONE
    expected = {polling.STARTING: (STARTING, RUNNING), polling.STOPPING: (STOPPING, STOPPED),
                polling.DELETING: (DELETING, DELETED)}[phase]
    if status == expected[0]:
        return WAITING
    return DONE if status == expected[1] else FAILED_OUTCOME
