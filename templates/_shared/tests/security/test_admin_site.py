"""The admin site's rules, from outside (CONTRACT.md, section 16; ASVS 2.2.1, 3.4, 4.2.2).

Every framework's admin library draws its own pages; these tests read them as a browser does
(``tests/security/admin.py``) and hold all three to the same rules: who gets in, the login
throttle shared with the API, the session cookie, CSRF on every form, what can be changed,
the audit log, and the headers. The admin is driven from its own client (another address
than the API's, with its own cookies); the API is checked with the ``client`` fixture.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from html.parser import HTMLParser
from http import HTTPStatus
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from tests.contract.helpers import (
    API,
    DEFAULT_PASSWORD,
    assert_problem,
    bearer,
    login,
    post_task,
)
from tests.security.admin import AdminPages, forms, log_in, origin_of, post_form, submit

WRONG_PASSWORD = "wrong-password-123"
PAIR_LIMIT = 5
# The admin's browser: one address for its requests, apart from the API client's.
BROWSER = "192.0.2.10"
HTTPS = "https://testserver"
# A key that passes every rule of CONTRACT.md: production refuses to start without one.
PRODUCTION_SECRET_KEY = "production-admin-test-key-" + "k3y" * 16
CSP_REQUIRED = {
    "default-src 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
}

pytestmark = pytest.mark.asvs("4.2.2")


@pytest.fixture
def browser(client_from):
    """The admin's browser: a client of the same app, with its own address and cookies."""
    return client_from(BROWSER)


@pytest.fixture
def staff(create_user, unique_email):
    """Return ``staff() -> email``: a new active admin whose password is DEFAULT_PASSWORD."""

    def make() -> str:
        email = unique_email("staff")
        create_user(email, DEFAULT_PASSWORD, "admin")
        return email

    return make


@pytest.fixture
def staff_email(staff):
    """The email of the admin that ``logged_in`` logs in as."""
    return staff()


@pytest.fixture
def logged_in(browser, admin_pages: AdminPages, staff_email):
    """The browser, logged in to the admin as the admin ``staff_email``."""
    answer = log_in(browser, admin_pages, staff_email, DEFAULT_PASSWORD)
    assert answer.status_code == HTTPStatus.FOUND, answer.text[:500]
    return browser


def is_login_redirect(answer, pages: AdminPages) -> bool:
    """Whether ``answer`` sends the browser to the admin's login form."""
    if answer.status_code != HTTPStatus.FOUND:
        return False
    target = urlsplit(urljoin(str(answer.url), answer.headers["location"])).path
    return target.rstrip("/") == urlsplit(pages.login).path.rstrip("/")


def csp_directives(answer) -> dict[str, set[str]]:
    """The page's Content-Security-Policy, as {directive: its sources}."""
    directives: dict[str, set[str]] = {}
    for part in answer.headers.get("content-security-policy", "").split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = set(words[1:])
    return directives


def set_cookies(answer) -> list[SimpleCookie]:
    """Every ``Set-Cookie`` of the answer, parsed."""
    parsed = []
    for header in answer.headers.get_list("set-cookie"):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        parsed.append(cookie)
    return parsed


def assert_admin_page_headers(answer) -> None:
    """The API's headers, the admin's referrer policy and CSP, no caching (sections 7, 16)."""
    headers = answer.headers
    assert headers.get("x-content-type-options") == "nosniff"
    assert headers.get("x-frame-options") == "DENY"
    assert headers.get("referrer-policy") == "same-origin"
    assert "no-store" in headers.get("cache-control", ""), headers.get("cache-control")
    directives = csp_directives(answer)
    present = {f"{name} {' '.join(sorted(values))}" for name, values in directives.items()}
    assert present >= CSP_REQUIRED, directives
    for name in ("script-src", "default-src"):
        assert not directives.get(name, set()) & {"'unsafe-inline'", "'unsafe-eval'"}, directives


class _Scripts(HTMLParser):
    """The page's scripts and stylesheets: their addresses, and the inline scripts' text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.files: list[str] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "script":
            if values.get("src"):
                self.files.append(values["src"])
            elif values.get("type", "text/javascript") in {"text/javascript", "module", ""}:
                self._in_script = True
                self.inline.append("")
        elif tag == "link" and "stylesheet" in values.get("rel", "") and values.get("href"):
            self.files.append(values["href"])

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.inline[-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False


def test_the_login_form_has_the_contract_fields_and_headers(browser, admin_pages):
    page = browser.get(admin_pages.login)

    assert page.status_code == HTTPStatus.OK
    form = post_form(page, {"username", "password"})
    assert any("csrf" in name.lower() for name in form.fields), form.fields
    assert_admin_page_headers(page)


@pytest.mark.parametrize("page", ["home", "tasks", "users", "audit"])
def test_every_page_but_the_login_sends_a_stranger_to_the_login(browser, admin_pages, page):
    answer = browser.get(getattr(admin_pages, page), follow_redirects=False)

    assert is_login_redirect(answer, admin_pages), (answer.status_code, answer.headers)


def test_staff_log_in_and_see_every_users_tasks(logged_in, admin_pages, signed_in, client):
    owner = signed_in()
    task = post_task(client, owner, title="Feed the cat")

    page = logged_in.get(admin_pages.tasks)

    assert page.status_code == HTTPStatus.OK
    assert task["title"] in page.text
    assert_admin_page_headers(page)


def test_a_user_without_the_admin_role_is_refused_as_a_wrong_password_is(
    browser, admin_pages, create_user, unique_email
):
    email = unique_email("user")
    create_user(email, DEFAULT_PASSWORD, "user")

    refused = log_in(browser, admin_pages, email, DEFAULT_PASSWORD)
    wrong = log_in(browser, admin_pages, email, WRONG_PASSWORD)

    assert refused.status_code == wrong.status_code == HTTPStatus.OK
    post_form(refused, {"username", "password"})
    assert is_login_redirect(browser.get(admin_pages.tasks), admin_pages)


def test_an_inactive_admin_is_refused(browser, admin_pages, create_user, unique_email):
    email = unique_email("staff")
    create_user(email, DEFAULT_PASSWORD, "admin", is_active=False)

    answer = log_in(browser, admin_pages, email, DEFAULT_PASSWORD)

    assert answer.status_code == HTTPStatus.OK
    assert is_login_redirect(browser.get(admin_pages.tasks), admin_pages)


@pytest.mark.asvs("2.2.1")
def test_failures_at_the_admin_lock_the_api_login_too(browser, admin_pages, staff, client_from):
    email = staff()
    for _ in range(PAIR_LIMIT):
        assert log_in(browser, admin_pages, email, WRONG_PASSWORD).status_code == HTTPStatus.OK

    # The same address, through the API, with the right password.
    locked = login(client_from(BROWSER), email, DEFAULT_PASSWORD)

    assert_problem(locked, HTTPStatus.TOO_MANY_REQUESTS)
    assert locked.headers["retry-after"].isdigit()


@pytest.mark.asvs("2.2.1")
def test_failures_at_the_api_lock_the_admin_login_too(browser, admin_pages, staff, client_from):
    email = staff()
    api = client_from(BROWSER)
    for _ in range(PAIR_LIMIT):
        assert login(api, email, WRONG_PASSWORD).status_code == HTTPStatus.UNAUTHORIZED

    locked = log_in(browser, admin_pages, email, DEFAULT_PASSWORD)

    assert_problem(locked, HTTPStatus.TOO_MANY_REQUESTS)
    assert locked.headers["retry-after"].isdigit()
    assert is_login_redirect(browser.get(admin_pages.tasks), admin_pages)


def test_admin_logins_log_the_apis_security_events(browser, admin_pages, staff, caplog):
    email = staff()
    caplog.set_level(logging.INFO)

    log_in(browser, admin_pages, email, WRONG_PASSWORD)
    log_in(browser, admin_pages, email, DEFAULT_PASSWORD)

    events = {
        (record.getMessage(), getattr(record, "via", None))
        for record in caplog.records
        if record.getMessage().startswith("authn_login")
    }
    assert ("authn_login_fail", "admin") in events, events
    assert ("authn_login_success", "admin") in events, events


@pytest.mark.asvs("3.4.2")
def test_the_admins_cookies_are_http_only_and_same_site(browser, admin_pages, staff):
    page = browser.get(admin_pages.login)
    answer = log_in(browser, admin_pages, staff(), DEFAULT_PASSWORD)

    cookies = set_cookies(page) + set_cookies(answer)
    assert cookies, "the login set no cookie"
    for cookie in cookies:
        for name, morsel in cookie.items():
            if not morsel.value:
                continue  # a cookie being deleted
            assert morsel["httponly"], name
            assert morsel["samesite"].lower() in {"lax", "strict"}, name
            assert morsel["path"] == "/", name


@pytest.fixture
def production(configured_app_client):
    """A client of the app in production with the admin turned on, over HTTPS."""
    return configured_app_client(
        ENVIRONMENT="production", SECRET_KEY=PRODUCTION_SECRET_KEY, ADMIN_ENABLED="true"
    )


@pytest.mark.asvs("3.4.1")
def test_in_production_the_cookies_are_secure_and_host_prefixed(production, admin_pages, staff):
    login_page = f"{HTTPS}{admin_pages.login}"
    page = production.get(login_page)
    assert page.status_code == HTTPStatus.OK, page.text[:500]
    answer = submit(production, page, {"username": staff(), "password": DEFAULT_PASSWORD})
    assert answer.status_code == HTTPStatus.FOUND, answer.text[:500]

    cookies = set_cookies(page) + set_cookies(answer)
    assert cookies, "the login set no cookie"
    for cookie in cookies:
        for name, morsel in cookie.items():
            if not morsel.value:
                continue
            assert name.startswith("__Host-"), name
            assert morsel["secure"], name
            assert not morsel["domain"], name


def test_the_admin_is_off_in_production_unless_turned_on(configured_app_client, admin_pages):
    production = configured_app_client(ENVIRONMENT="production", SECRET_KEY=PRODUCTION_SECRET_KEY)

    for path in (admin_pages.prefix, admin_pages.login, admin_pages.tasks):
        assert_problem(production.get(f"{HTTPS}{path}"), HTTPStatus.NOT_FOUND)


def test_admin_enabled_false_turns_it_off(configured_app_client, admin_pages):
    turned_off = configured_app_client(ADMIN_ENABLED="false")

    for path in (admin_pages.prefix, admin_pages.login, admin_pages.tasks):
        assert_problem(turned_off.get(path), HTTPStatus.NOT_FOUND)


@pytest.mark.asvs("4.2.2")
def test_a_login_without_its_csrf_token_is_refused(browser, admin_pages, staff):
    page = browser.get(admin_pages.login)
    tokens = {name for name in post_form(page).fields if "csrf" in name.lower()}

    answer = submit(
        browser, page, {"username": staff(), "password": DEFAULT_PASSWORD}, drop=tokens
    )

    assert answer.status_code == HTTPStatus.FORBIDDEN
    assert is_login_redirect(browser.get(admin_pages.tasks), admin_pages)


@pytest.fixture
def task(signed_in, client):
    """A task of an ordinary user, made through the API; its owner in ``task["account"]``."""
    owner = signed_in()
    made = post_task(client, owner, title="Water the plants")
    return {**made, "account": owner}


def api_task(client, task) -> dict[str, Any]:
    """The task as its owner reads it through the API now."""
    answer = client.get(f"{API}/tasks/{task['id']}", headers=task["account"].headers)
    assert answer.status_code == HTTPStatus.OK, answer.text
    return answer.json()


@pytest.mark.asvs("4.2.2")
def test_an_edit_without_its_csrf_token_is_refused_and_changes_nothing(
    logged_in, admin_pages, task, client
):
    page = logged_in.get(admin_pages.task(task["id"]))
    assert page.status_code == HTTPStatus.OK
    tokens = {name for name in post_form(page, {"title"}).fields if "csrf" in name.lower()}

    answer = submit(logged_in, page, {"title": "Forged"}, drop=tokens)

    assert answer.status_code == HTTPStatus.FORBIDDEN
    assert api_task(client, task)["title"] == "Water the plants"


@pytest.mark.asvs("4.2.2")
def test_another_sessions_csrf_token_is_refused(
    logged_in, admin_pages, task, client, client_from, staff
):
    other = client_from("192.0.2.11")
    assert log_in(other, admin_pages, staff(), DEFAULT_PASSWORD).status_code == HTTPStatus.FOUND
    theirs = post_form(other.get(admin_pages.task(task["id"])), {"title"}).fields
    page = logged_in.get(admin_pages.task(task["id"]))
    tokens = {name: value for name, value in theirs.items() if "csrf" in name.lower()}

    answer = submit(logged_in, page, {"title": "Forged", **tokens})

    assert answer.status_code == HTTPStatus.FORBIDDEN
    assert api_task(client, task)["title"] == "Water the plants"


def test_an_edit_through_the_admin_is_saved_and_audited(
    logged_in, staff_email, admin_pages, task, client
):
    page = logged_in.get(admin_pages.task(task["id"]))

    answer = submit(logged_in, page, {"title": "Water the plants twice"})

    assert answer.status_code == HTTPStatus.FOUND, answer.text[:500]
    assert api_task(client, task)["title"] == "Water the plants twice"
    audit = logged_in.get(admin_pages.audit)
    assert audit.status_code == HTTPStatus.OK
    assert "Water the plants twice" in audit.text
    assert staff_email in audit.text
    assert_admin_page_headers(audit)


def test_a_delete_through_the_admin_is_audited(logged_in, staff_email, admin_pages, task, client):
    before = logged_in.get(admin_pages.audit).text.lower().count("delet")

    admin_pages.delete_task(logged_in, task["id"])

    gone = client.get(f"{API}/tasks/{task['id']}", headers=task["account"].headers)
    assert gone.status_code == HTTPStatus.NOT_FOUND
    audit = logged_in.get(admin_pages.audit)
    assert audit.text.lower().count("delet") > before
    assert staff_email in audit.text


def test_the_audit_log_cannot_be_changed_from_the_admin(logged_in, admin_pages, task):
    submit(logged_in, logged_in.get(admin_pages.task(task["id"])), {"title": "Audited"})

    audit = logged_in.get(admin_pages.audit)

    logout = urlsplit(urljoin(str(audit.url), admin_pages.logout)).path.rstrip("/")
    for form in forms(audit.text):
        if form.method == "post":
            target = urlsplit(urljoin(str(audit.url), form.action)).path.rstrip("/")
            assert target == logout, f"the audit log has a form posting to {form.action}"


def test_the_task_list_filters_by_status_and_searches_titles(
    logged_in, admin_pages, signed_in, client
):
    owner = signed_in()
    post_task(client, owner, title="Paint the fence", status="done")
    post_task(client, owner, title="Mend the gate", status="todo")

    found = logged_in.get(admin_pages.tasks, params={admin_pages.search: "fence"})
    done = logged_in.get(admin_pages.tasks, params=dict(admin_pages.done_filter))

    assert "Paint the fence" in found.text
    assert "Mend the gate" not in found.text
    assert "Paint the fence" in done.text
    assert "Mend the gate" not in done.text


def test_the_user_pages_never_show_a_password_or_take_one(
    logged_in, admin_pages, create_user, unique_email
):
    email = unique_email("user")
    user = create_user(email, DEFAULT_PASSWORD, "user")

    listing = logged_in.get(admin_pages.users, params={admin_pages.search: email})
    page = logged_in.get(admin_pages.user(user["id"]))

    assert email in listing.text
    for answer in (listing, page):
        assert answer.status_code == HTTPStatus.OK
        assert "$argon2" not in answer.text
        assert DEFAULT_PASSWORD not in answer.text
    names = post_form(page, {"role", "is_active"}).names
    assert {"role", "is_active"} <= names, names
    assert not {name for name in names if "password" in name or name in {"email", "full_name"}}


def test_deactivating_a_user_revokes_their_refresh_tokens(
    logged_in, admin_pages, signed_in, client
):
    account = signed_in()
    page = logged_in.get(admin_pages.user(account.user["id"]))

    answer = submit(logged_in, page, {"is_active": None})

    assert answer.status_code == HTTPStatus.FOUND, answer.text[:500]
    refreshed = client.post(f"{API}/auth/refresh", json={"refresh_token": account.refresh_token})
    assert_problem(refreshed, HTTPStatus.UNAUTHORIZED)
    assert account.email in logged_in.get(admin_pages.audit).text


def test_a_role_given_in_the_admin_opens_the_admin_routes(
    logged_in, admin_pages, signed_in, client
):
    account = signed_in()
    page = logged_in.get(admin_pages.user(account.user["id"]))

    assert submit(logged_in, page, {"role": "admin"}).status_code == HTTPStatus.FOUND

    again = login(client, account.email, account.password).json()
    users = client.get(f"{API}/users", headers=bearer(again["access_token"]))
    assert users.status_code == HTTPStatus.OK


def test_an_admin_who_loses_the_role_is_out_at_the_next_request(
    logged_in, admin_pages, client_from, create_user, unique_email
):
    email = unique_email("staff")
    demoted = create_user(email, DEFAULT_PASSWORD, "admin")
    theirs = client_from("192.0.2.12")
    assert log_in(theirs, admin_pages, email, DEFAULT_PASSWORD).status_code == HTTPStatus.FOUND
    assert theirs.get(admin_pages.tasks).status_code == HTTPStatus.OK

    page = logged_in.get(admin_pages.user(demoted["id"]))
    assert submit(logged_in, page, {"role": "user"}).status_code == HTTPStatus.FOUND

    assert is_login_redirect(theirs.get(admin_pages.tasks), admin_pages)


@pytest.mark.asvs("3.3.1")
def test_logout_ends_the_session_on_the_server(logged_in, admin_pages, client_from):
    kept = dict(logged_in.cookies.items())
    page = logged_in.get(admin_pages.home)
    logout_path = urlsplit(urljoin(str(page.url), admin_pages.logout)).path

    form = next(
        form
        for form in forms(page.text)
        if form.method == "post"
        and urlsplit(urljoin(str(page.url), form.action)).path == logout_path
    )
    answer = logged_in.post(
        urljoin(str(page.url), form.action),
        data=form.fields,
        headers=origin_of(page),
        follow_redirects=False,
    )

    assert answer.status_code == HTTPStatus.FOUND, answer.text[:500]
    assert is_login_redirect(logged_in.get(admin_pages.tasks), admin_pages)
    # The cookies of the ended session, sent again from elsewhere, open nothing.
    replay = client_from("192.0.2.13")
    for name, value in kept.items():
        replay.cookies.set(name, value)
    assert is_login_redirect(replay.get(admin_pages.tasks), admin_pages)


def test_the_admins_own_files_load_under_its_policy(logged_in, admin_pages, task):
    for url in (admin_pages.home, admin_pages.tasks, admin_pages.task(task["id"])):
        page = logged_in.get(url)
        assert page.status_code == HTTPStatus.OK, url
        assert_admin_page_headers(page)
        scripts = _Scripts()
        scripts.feed(page.text)
        # Every inline script is allowed by its hash, as the policy has no 'unsafe-inline'.
        allowed = csp_directives(page).get("script-src", set())
        for code in scripts.inline:
            if not code.strip():
                continue
            digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in allowed, f"{url}: an inline script its CSP blocks"
        for asset in scripts.files:
            target = urljoin(str(page.url), asset)
            assert urlsplit(target).netloc == urlsplit(str(page.url)).netloc, asset
            answer = logged_in.get(target)
            assert answer.status_code == HTTPStatus.OK, target
            assert answer.content, target


def test_no_admin_page_names_a_password_hash(logged_in, admin_pages, task):
    for url in (admin_pages.home, admin_pages.tasks, admin_pages.users, admin_pages.audit):
        text = logged_in.get(url).text
        assert not re.search(r"\$argon2id?\$", text), url
