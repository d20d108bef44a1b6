"""The upload rules of CONTRACT.md section 13, each a test tagged with its OWASP ASVS 4.0.3 id.

Every test runs twice through ``file_storage``: on a local folder and on a bucket of moto's S3
server on loopback, so both storages are held to the same rules. ``files_client(**settings)``
is an in-process app storing there; ``client`` (the default app) makes the accounts and tasks.
"""

from __future__ import annotations

import re
import stat
from http import HTTPStatus

import pytest

from tests.contract.helpers import (
    API,
    PDF_BYTES,
    assert_problem,
    attach,
    attachments_url,
    png_bytes,
    post_task,
    upload,
)

STORAGE_KEY = re.compile(r"[0-9a-f]{32}")
NOT_ACCEPTED = "This type of file is not accepted."
MULTIPART_OVERHEAD_BYTES = 64 * 1024


def stored_files(file_storage):
    """The names the storage holds, without the prefix folders of the local layout."""
    return file_storage.keys()


@pytest.mark.asvs("12.1.1")
def test_a_file_over_the_size_limit_is_refused_and_not_kept(
    client, files_client, file_storage, signed_in
):
    app = files_client(ATTACHMENT_MAX_BYTES="4096")
    account = signed_in()
    task = post_task(client, account)

    at_limit = upload(app, account, task["id"], png_bytes(4096))
    over = upload(app, account, task["id"], png_bytes(4097))

    assert at_limit.status_code == HTTPStatus.CREATED, at_limit.text
    assert assert_problem(over, HTTPStatus.REQUEST_ENTITY_TOO_LARGE)["detail"] == (
        "The file is larger than 4096 bytes."
    )
    assert len(stored_files(file_storage)) == 1


@pytest.mark.asvs("12.1.1")
def test_a_body_over_the_upload_limit_is_refused_before_anything_else(files_client):
    app = files_client(ATTACHMENT_MAX_BYTES="4096")
    too_big = b"\x00" * (4096 + MULTIPART_OVERHEAD_BYTES + 1)

    anonymous = app.post(attachments_url(1), files={"file": ("big.png", too_big, "image/png")})

    assert_problem(anonymous, HTTPStatus.REQUEST_ENTITY_TOO_LARGE)


@pytest.mark.asvs("12.1.3")
def test_the_quota_counts_every_file_on_the_owners_tasks(
    client, files_client, file_storage, signed_in
):
    picture = png_bytes(1000)
    app = files_client(ATTACHMENT_QUOTA_BYTES="2500")
    account, other = signed_in(), signed_in()
    first_task, second_task = post_task(client, account), post_task(client, account)
    first = attach(app, account, first_task["id"], picture)
    attach(app, account, second_task["id"], picture)

    over = upload(app, account, second_task["id"], picture)
    others_quota = upload(app, other, post_task(client, other)["id"], picture)
    app.delete(f"{attachments_url(first_task['id'])}/{first['id']}", headers=account.headers)
    after_delete = upload(app, account, second_task["id"], picture)

    assert assert_problem(over, HTTPStatus.REQUEST_ENTITY_TOO_LARGE)["detail"] == (
        "The upload would exceed the storage quota of 2500 bytes."
    )
    assert others_quota.status_code == HTTPStatus.CREATED, others_quota.text
    assert after_delete.status_code == HTTPStatus.CREATED, after_delete.text
    assert len(stored_files(file_storage)) == 3


@pytest.mark.asvs("12.2.1")
@pytest.mark.parametrize(
    ("content", "filename", "declared"),
    [
        pytest.param(b"<html><script>alert(1)</script></html>", "a.png", "image/png", id="html"),
        pytest.param(
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "a.svg",
            "image/svg+xml",
            id="svg",
        ),
        pytest.param(b"MZ\x90\x00\x03" + b"\x00" * 64, "a.pdf", "application/pdf", id="exe"),
        pytest.param(b"PK\x03\x04" + b"\x00" * 64, "a.jpg", "image/jpeg", id="zip"),
        pytest.param(b"just some words", "a.txt", "text/plain", id="text"),
    ],
)
def test_a_file_is_refused_by_its_content_whatever_its_name_and_type_say(
    client, files_client, file_storage, signed_in, content, filename, declared
):
    app = files_client()
    account = signed_in()
    task = post_task(client, account)

    response = upload(app, account, task["id"], content, filename=filename, declared_type=declared)

    assert assert_problem(response, HTTPStatus.UNSUPPORTED_MEDIA_TYPE)["detail"] == NOT_ACCEPTED
    assert stored_files(file_storage) == []


@pytest.mark.asvs("12.2.1")
def test_the_type_is_read_from_the_content_and_the_setting_narrows_it(
    client, files_client, signed_in
):
    app = files_client(ATTACHMENT_TYPES="application/pdf")
    account = signed_in()
    task = post_task(client, account)

    pdf = upload(
        app, account, task["id"], PDF_BYTES, filename="scan.exe", declared_type="text/html"
    )
    picture = upload(app, account, task["id"], png_bytes())

    assert pdf.status_code == HTTPStatus.CREATED, pdf.text
    assert pdf.json()["content_type"] == "application/pdf"
    assert pdf.json()["filename"] == "scan.exe"
    assert_problem(picture, HTTPStatus.UNSUPPORTED_MEDIA_TYPE)


@pytest.mark.asvs("12.3.1", "12.3.2")
@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../../etc/passwd.png", "passwd.png"),
        ("..\\..\\windows\\win.ini.png", "win.ini.png"),
        ("report\u202egnp.exe", "reportgnp.exe"),
        ("  ..hidden. ", "hidden"),
        ("bell\x07.png", "bell.png"),
        ("...", "file"),
        ("é" * 200 + ".png", "é" * 127),
        ("e\u0301te\u0301.png", "été.png"),
    ],
)
def test_the_original_name_is_sanitised_and_never_used_for_storage(
    client, files_client, file_storage, signed_in, sent, kept
):
    app = files_client()
    account = signed_in()
    task = post_task(client, account)

    created = attach(app, account, task["id"], filename=sent)

    assert created["filename"] == kept
    assert len(created["filename"].encode("utf-8")) <= 255
    names = stored_files(file_storage)
    assert len(names) == 1
    assert STORAGE_KEY.fullmatch(names[0].rpartition("/")[2])


@pytest.mark.asvs("12.4.1")
def test_local_files_live_outside_the_app_and_only_their_owner_reads_them(
    client, files_client, file_storage, signed_in
):
    if file_storage.folder is None:
        pytest.skip("file modes are a property of the local folder")
    app = files_client()
    account = signed_in()
    attach(app, account, post_task(client, account)["id"])

    files = [path for path in file_storage.folder.rglob("*") if path.is_file()]
    folders = [file_storage.folder, *(p for p in file_storage.folder.rglob("*") if p.is_dir())]

    assert len(files) == 1
    assert {stat.S_IMODE(path.stat().st_mode) for path in files} == {0o600}
    assert {stat.S_IMODE(path.stat().st_mode) for path in folders} == {0o700}


@pytest.mark.asvs("12.5.2")
def test_a_download_is_never_rendered_by_the_browser(client, files_client, signed_in):
    app = files_client()
    account = signed_in()
    task = post_task(client, account)
    # A PNG whose bytes also hold markup, declared as HTML: the answer must stay an image.
    polyglot = png_bytes() + b"<html><script>alert(1)</script></html>"
    created = attach(
        app, account, task["id"], polyglot, filename="x.html", declared_type="text/html"
    )

    response = app.get(f"{attachments_url(task['id'])}/{created['id']}", headers=account.headers)

    assert response.content == polyglot
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"].startswith("attachment;")


def test_the_file_goes_with_its_attachment_and_with_its_task(
    client, files_client, file_storage, signed_in
):
    app = files_client()
    account = signed_in()
    task = post_task(client, account)
    kept = attach(app, account, task["id"])
    removed = attach(app, account, task["id"], PDF_BYTES)

    app.delete(f"{attachments_url(task['id'])}/{removed['id']}", headers=account.headers)
    one_left = stored_files(file_storage)
    app.delete(f"{API}/tasks/{task['id']}", headers=account.headers)

    assert len(one_left) == 1
    assert kept["size"] == len(png_bytes())
    assert stored_files(file_storage) == []


def test_a_stored_file_reads_back_byte_for_byte(client, files_client, signed_in):
    app = files_client()
    account = signed_in()
    task = post_task(client, account)
    # Several chunks of the storage's 64 KiB, and not a multiple of one.
    content = png_bytes(300_001)
    created = attach(app, account, task["id"], content)

    response = app.get(f"{attachments_url(task['id'])}/{created['id']}", headers=account.headers)

    assert response.status_code == HTTPStatus.OK
    assert response.content == content
