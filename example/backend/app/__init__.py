"""Example FastAPI backend served from AWS Lambda behind API Gateway."""
