"""Slow tier: each project's admin site in a real browser (CONTRACT.md, section 16).

Debian's Chromium, driven headless by Playwright, does what a member of staff does: logs in at
the admin's login form, opens a task from the task list, changes its title, finds the change
in the audit log, and logs out. The project runs as a user runs it (`make run`, SQLite in the
test's folder); the admin is made with its own `make create-admin`, the task through the API.

Besides the steps, the browser reports what the page itself did wrong: a script or stylesheet
the Content-Security-Policy blocked, or a script error, fails the test. On a failure the test
keeps a screenshot of the admin's task list (and of the page where it stopped) in its own
output folder, and names them in the failure.

The shared black-box suite (`tests/security/test_admin_site.py` in every project) holds the
rules; this test proves that the pages work in a browser under those rules.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.generated.conftest import assert_ok, free_port, make, stop, wait_until_live
from tests.generated.test_generated_projects import PROJECTS

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Headless on a machine without a display or network: no sandbox (root in CI), no GPU, and
# none of Chromium's background connections to Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery staple 42"  # noqa: S105 - a test user's
STAFF = "staff@example.com"
OWNER = "owner@example.com"
TIMEOUT_MS = 20_000  # for any one browser step


@dataclass(frozen=True)
class Pages:
    """Where one admin library puts the pages this test visits, under `/manage/`."""

    login: str
    tasks: str
    audit: str
    # The task list's link to a task's edit form, as a CSS selector ({id}: the task's id).
    edit_link: str


# The same places each project's `admin_pages` fixture names for its black-box tests.
PAGES = {
    "django-app": Pages(
        login="/manage/login/",
        tasks="/manage/tasks/task/",
        audit="/manage/admin/logentry/",
        edit_link="a[href$='/tasks/task/{id}/change/']",
    ),
    "flask-api": Pages(
        login="/manage/login/",
        tasks="/manage/tasks/",
        audit="/manage/audit/",
        edit_link="a[href*='/tasks/edit/?id={id}&'], a[href$='/tasks/edit/?id={id}']",
    ),
    "fastapi-service": Pages(
        login="/manage/login",
        tasks="/manage/task/list",
        audit="/manage/audit-entry/list",
        edit_link="a[href$='/task/edit/{id}']",
    ),
}


def _api(base: str, path: str, body: dict[str, Any], token: str | None = None) -> Any:
    """POST a JSON body to the project's API and return its JSON answer."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(  # noqa: S310 - a loopback URL
        f"{base}/api/v1{path}", data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        return json.loads(answer.read())


@pytest.mark.parametrize("installed_project", PROJECTS, indirect=True)
def test_staff_edit_a_task_in_a_real_browser(
    installed_project: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        message = "Chromium is not installed (Debian: apt-get install chromium)"
        if os.environ.get("SCAFFOLD_REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    framework = request.node.callspec.params["installed_project"]
    pages = PAGES[framework]
    port = free_port()
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'admin.db'}",
        "ENVIRONMENT": "development",
        "JOBS_PATH": str(tmp_path / "jobs.db"),
        "ADMIN_PASSWORD": PASSWORD,
    }
    log = tmp_path / "server.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            ["make", "run"], cwd=installed_project, env=env, stdout=log_file,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_live(f"{base}/health/live", server, log)
        assert_ok(make(installed_project, "create-admin", f"EMAIL={STAFF}", env=env), "admin")
        _api(base, "/auth/register", {"email": OWNER, "password": PASSWORD, "full_name": "Ada"})
        token = _api(base, "/auth/login", {"email": OWNER, "password": PASSWORD})["access_token"]
        task = _api(base, "/tasks", {"title": "Sweep the yard"}, token)
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            try:
                _as_staff(browser.new_page(), base, pages, task, tmp_path)
            finally:
                browser.close()
    finally:
        stop(server)


def _as_staff(page: Any, base: str, pages: Pages, task: dict[str, Any], folder: Path) -> None:
    """Log in, edit the task, find the audit row, log out; screenshots if a step fails."""
    problems: list[str] = []
    # What the browser itself reports: blocked files (CSP) and script errors; and every answer
    # of 400 or more, but the favicon the browser asks for by itself (the admins have none).
    page.on("console", lambda message: _console(message, page.url, problems))
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    page.on(
        "response",
        lambda answer: (
            problems.append(f"{answer.status} {answer.url}")
            if answer.status >= 400 and not answer.url.endswith("/favicon.ico")
            else None
        ),
    )
    page.set_default_timeout(TIMEOUT_MS)
    try:
        page.goto(f"{base}{pages.login}")
        page.fill("input[name=username]", STAFF)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.press("input[name=password]", "Enter")
        assert page.url.rstrip("/") != f"{base}{pages.login}".rstrip("/"), "login refused"

        page.goto(f"{base}{pages.tasks}")
        page.get_by_text("Sweep the yard").first.wait_for()
        # The edit form, through the list's own link to it.
        with page.expect_navigation():
            page.locator(pages.edit_link.format(id=task["id"])).first.click()
        page.fill("input[name=title]", "Sweep the yard twice")
        with page.expect_navigation():
            page.press("input[name=title]", "Enter")

        page.goto(f"{base}{pages.audit}")
        page.get_by_text("Sweep the yard twice").first.wait_for()
        page.get_by_text(STAFF).first.wait_for()

        # The logout button, found as a person finds it: by its name.
        with page.expect_navigation():
            page.get_by_role("button", name=re.compile(r"log ?out", re.IGNORECASE)).click()
        page.goto(f"{base}{pages.tasks}")
        page.locator("input[name=password]").wait_for()
        assert not problems, f"the browser reported: {problems}"
    except Exception as error:
        kept = _screenshots(page, base, pages, folder)
        raise AssertionError(f"{error}\nscreenshots: {kept}\nbrowser said: {problems}") from error


def _console(message: Any, url: str, problems: list[str]) -> None:
    """Keep the browser's console errors, but its note of a failed load (answers say which)."""
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        problems.append(f"{url}: {message.text}")


def _screenshots(page: Any, base: str, pages: Pages, folder: Path) -> list[str]:
    """Keep the page where the test stopped and the admin's task list, as PNG files."""
    kept = []
    for name, url in (("where-it-stopped", None), ("task-list", f"{base}{pages.tasks}")):
        try:
            if url:
                page.goto(url)
            path = folder / f"{name}.png"
            page.screenshot(path=str(path), full_page=True)
            kept.append(str(path))
        except Exception as error:  # noqa: BLE001 - a screenshot must not hide the failure
            kept.append(f"{name}: {error}")
    return kept
