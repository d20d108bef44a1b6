"""The settings of attachments: read from the environment, refused in one line when unusable.

Each case reads config/settings/base.py afresh with the environment it names, as a start does.
"""

from __future__ import annotations

import os
import runpy
from typing import Any
from unittest import mock

import pytest
from config.settings import base
from django.core.exceptions import ImproperlyConfigured

STORAGE_NAMES = (
    "FILES_DIR",
    "S3_BUCKET",
    "S3_ENDPOINT_URL",
    "S3_REGION",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "ATTACHMENT_MAX_BYTES",
    "ATTACHMENT_QUOTA_BYTES",
    "ATTACHMENT_TYPES",
)


def read_settings(**environment: str) -> dict[str, Any]:
    """The settings config/settings/base.py makes of the environment, changed as given.

    The attachment settings a developer's shell may hold are left out unless given.
    """
    outside = {name: value for name, value in os.environ.items() if name not in STORAGE_NAMES}
    with mock.patch.dict(os.environ, {**outside, **environment}, clear=True):
        return runpy.run_path(base.__file__)


def test_the_defaults_are_those_of_the_contract() -> None:
    settings = read_settings()

    assert settings["FILES_DIR"] == "./var/files"
    assert settings["S3_BUCKET"] == ""
    assert settings["S3_REGION"] == "us-east-1"
    assert settings["ATTACHMENT_MAX_BYTES"] == 10 * 1024 * 1024
    assert settings["ATTACHMENT_QUOTA_BYTES"] == 100 * 1024 * 1024
    assert settings["ATTACHMENT_TYPES"] == {
        "application/pdf",
        "image/gif",
        "image/jpeg",
        "image/png",
        "image/webp",
    }


def test_the_types_are_read_in_lower_case_with_spaces_allowed() -> None:
    settings = read_settings(ATTACHMENT_TYPES=" Image/PNG , application/pdf,")

    assert settings["ATTACHMENT_TYPES"] == {"image/png", "application/pdf"}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ATTACHMENT_MAX_BYTES", "ten megabytes"),
        ("ATTACHMENT_MAX_BYTES", "0"),
        ("ATTACHMENT_QUOTA_BYTES", "-1"),
        ("ATTACHMENT_QUOTA_BYTES", "1.5"),
        ("ATTACHMENT_TYPES", ""),
        ("ATTACHMENT_TYPES", " , "),
        ("ATTACHMENT_TYPES", "png"),
        ("ATTACHMENT_TYPES", "image/png; q=1"),
    ],
)
def test_an_unusable_value_is_refused_by_name(name: str, value: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=name) as refused:
        read_settings(**{name: value})

    assert "\n" not in str(refused.value)


def test_the_off_site_backup_settings_are_left_to_the_backup_tool() -> None:
    settings = read_settings(
        BACKUP_REMOTE_URL="s3://backups/demo", BACKUP_ENCRYPTION_KEY="not checked here"
    )

    assert "ATTACHMENT_TYPES" in settings
