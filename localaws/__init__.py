"""The project's local AWS endpoint: moto + Rekognition Custom Labels + S3 replication + faults."""
