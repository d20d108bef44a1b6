"""Attachments: files on tasks, in a local folder or an S3-compatible bucket."""
