"""The HTTP API: dependencies, error handling, OpenAPI, and one router per resource."""
