"""An S3 API on loopback for tests: moto's server (moto[server], a dev
dependency) as a separate process, spoken to over HTTP by boto3 through
django-storages, exactly as the portal speaks to MinIO or AWS S3.

``s3_server`` starts one server for the session. ``s3`` creates two fresh
buckets for a test, the public one readable by anyone (a bucket policy, as
docs/deploy.md asks of a real store), and points STORAGES at them through
the same environment variables a deployment sets. A test module imports
``s3_fixture`` and ``s3_server_fixture`` and asks for ``s3`` / ``s3_server``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ACCESS_KEY = "portal-test-key"
SECRET_KEY = "portal-test-secret"
REGION = "us-east-1"
START_TIMEOUT = 30.0


@dataclass
class S3Server:
    endpoint: str
    started_in: float  # seconds until it answered

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )


@dataclass
class Buckets:
    server: S3Server
    public: str
    private: str
    environ: dict[str, str]

    def public_url(self, name: str) -> str:
        return f"{self.server.endpoint}/{self.public}/{name}"

    def private_url(self, name: str) -> str:
        return f"{self.server.endpoint}/{self.private}/{name}"

    def names(self, bucket: str) -> set[str]:
        listing = self.server.client().list_objects_v2(Bucket=bucket)
        return {item["Key"] for item in listing.get("Contents", [])}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    """A plain HTTP GET, as a browser would make it: no credentials."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback test URL
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as refused:
        return refused.code, dict(refused.headers), refused.read()


@pytest.fixture(scope="session", name="s3_server")
def s3_server_fixture(tmp_path_factory) -> Iterator[S3Server]:
    port = _free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    binary = Path(sys.executable).with_name("moto_server")
    env = {**os.environ, "MOTO_PORT": str(port)}
    started = time.monotonic()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(binary), "-H", "127.0.0.1", "-p", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"moto_server exited: {log.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()  # noqa: S310
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() - started > START_TIMEOUT:
                    raise RuntimeError(f"moto_server did not answer on {endpoint}") from None
                time.sleep(0.05)
        yield S3Server(endpoint=endpoint, started_in=time.monotonic() - started)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def anonymous_read_policy(bucket: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": ["s3:GetObject"],
                    "Resource": [f"arn:aws:s3:::{bucket}/*"],
                }
            ],
        }
    )


def s3_environ(server: S3Server, public: str, private: str, **more: str) -> dict[str, str]:
    """The variables a deployment sets (.env.example), for these buckets."""
    return {
        "S3_ENDPOINT_URL": server.endpoint,
        "S3_REGION": REGION,
        "S3_ACCESS_KEY_ID": ACCESS_KEY,
        "S3_SECRET_ACCESS_KEY": SECRET_KEY,
        "S3_PUBLIC_BUCKET": public,
        "S3_PRIVATE_BUCKET": private,
        **more,
    }


def use_buckets(settings: Any, environ: dict[str, str]) -> None:
    """Point STORAGES (and the CSP) at the buckets, as settings.py would
    with these variables set."""
    from justop.storage import storages_from_env

    config = storages_from_env(environ)
    settings.STORAGES = {**config.storages, "staticfiles": settings.STORAGES["staticfiles"]}
    settings.S3_SIGNED_URL_SECONDS = config.signed_url_seconds
    csp = dict(settings.SECURE_CSP)
    csp["img-src"] = [*csp["img-src"], *config.image_origins]
    settings.SECURE_CSP = csp


@pytest.fixture(name="s3")
def s3_fixture(s3_server, settings, tmp_path) -> Buckets:
    suffix = uuid.uuid4().hex[:12]
    public, private = f"justop-public-{suffix}", f"justop-private-{suffix}"
    client = s3_server.client()
    client.create_bucket(Bucket=public)
    client.create_bucket(Bucket=private)
    client.put_bucket_policy(Bucket=public, Policy=anonymous_read_policy(public))
    # Nothing may land in a local folder by mistake: MEDIA_ROOT is empty and
    # checked by the tests.
    settings.MEDIA_ROOT = tmp_path / "media"
    environ = s3_environ(s3_server, public, private)
    use_buckets(settings, environ)
    return Buckets(server=s3_server, public=public, private=private, environ=environ)
