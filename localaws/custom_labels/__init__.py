"""Amazon Rekognition Custom Labels project APIs, which moto does not have."""
