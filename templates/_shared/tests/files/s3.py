"""A real S3 API on loopback for the tests: moto's server mode, in a thread of the test process.

The project's storage code talks to it through boto3 over HTTP exactly as it would to AWS,
MinIO or any S3-compatible service; nothing is mocked inside the process.
http://docs.getmoto.org/en/latest/docs/server_mode.html
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from moto.server import ThreadedMotoServer

LOOPBACK = "127.0.0.1"
# moto accepts any credentials; these name no real account.
ACCESS_KEY_ID = "testing"
SECRET_ACCESS_KEY = "testing"  # moto's placeholder, not a secret
REGION = "us-east-1"


@dataclass
class S3Server:
    """moto's S3 server on 127.0.0.1, on a free port."""

    server: ThreadedMotoServer | None = None
    url: str = ""
    # One boto3 client for all the tests of a process: making one costs tens of milliseconds
    # (boto3 builds its class and resolves the endpoint), and a client is safe to share.
    _client: Any = field(default=None, repr=False)

    def start(self) -> None:
        """Start serving; returns once the server accepts connections."""
        # Imported here, not above: moto takes about 0.4 s to import, which every pytest
        # process (each worker, each run of one test file) would pay whether or not a test of
        # it uses S3.
        from moto.server import ThreadedMotoServer  # noqa: PLC0415

        self.server = ThreadedMotoServer(ip_address=LOOPBACK, port=0, verbose=False)
        self.server.start()
        host, port = self.server.get_host_and_port()
        self.url = f"http://{host}:{port}"

    def stop(self) -> None:
        """Stop serving."""
        if self.server is not None:
            self.server.stop()

    def settings(self, bucket: str) -> dict[str, str]:
        """The project's settings (environment names) that reach `bucket` on this server."""
        return {
            "S3_BUCKET": bucket,
            "S3_ENDPOINT_URL": self.url,
            "S3_REGION": REGION,
            "S3_ACCESS_KEY_ID": ACCESS_KEY_ID,
            "S3_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
        }

    def client(self):  # boto3 builds its client class at run time
        """A boto3 client of this server, for tests that look into a bucket."""
        if self._client is None:
            import boto3  # noqa: PLC0415

            self._client = boto3.client(
                "s3",
                endpoint_url=self.url,
                region_name=REGION,
                aws_access_key_id=ACCESS_KEY_ID,
                aws_secret_access_key=SECRET_ACCESS_KEY,
            )
        return self._client

    def new_bucket(self) -> str:
        """Create a bucket no other test uses, and return its name."""
        name = f"test-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        """The object names in `bucket` under `prefix`."""
        pages = (
            self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        )
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))
