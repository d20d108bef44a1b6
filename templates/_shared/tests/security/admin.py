"""The admin site as a browser sees it: its pages, and its HTML forms read and sent.

Each framework's admin library lays its pages out its own way under ``ADMIN_URL``
(CONTRACT.md, section 16); the project's ``tests/conftest.py`` says where they are with an
``AdminPages`` (the ``admin_pages`` fixture), and the shared tests find every page through it.
Forms are read from the HTML the server sent, hidden fields (the CSRF token) included, and
sent back as a browser would: nothing here knows a library's field names but the ones the
contract fixes (``username``, ``password``, and the model's own fields).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import urljoin

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    import httpx


@dataclass(frozen=True)
class AdminPages:
    """Where one framework's admin library puts the pages the contract names.

    Attributes:
        prefix: ``ADMIN_URL``, the admin's own prefix (``/manage/``).
        login: The login form (GET) and its target (POST).
        logout: The logout form's target (POST, with the CSRF field).
        home: The first page after a login.
        tasks: The task list.
        task_edit: A task's edit form, ``{id}`` in place of its id.
        users: The user list.
        user_edit: A user's edit form, ``{id}`` in place of its id.
        audit: The audit log's list.
        search: The list pages' search parameter.
        done_filter: The task list's query parameters that keep the tasks whose status is done.
        delete_task: Deletes a task as the admin's own pages do (CSRF token included), with the
            given logged-in client; returns the last answer.
    """

    prefix: str
    login: str
    logout: str
    home: str
    tasks: str
    task_edit: str
    users: str
    user_edit: str
    audit: str
    search: str
    done_filter: Mapping[str, str]
    delete_task: Callable[[httpx.Client, int], httpx.Response]

    def task(self, task_id: int) -> str:
        """The edit form of the task ``task_id``."""
        return self.task_edit.format(id=task_id)

    def user(self, user_id: int) -> str:
        """The edit form of the user ``user_id``."""
        return self.user_edit.format(id=user_id)


@dataclass
class Form:
    """One HTML form: where it posts, and the fields a browser would send unchanged."""

    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    # Every field name the form has, those a browser would not send (unticked boxes) included.
    names: set[str] = field(default_factory=set)


class _FormParser(HTMLParser):
    """Collects the forms of a page with what a browser would submit from each."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._select: str | None = None
        self._select_first: str | None = None
        self._option: str | None = None
        self._textarea: str | None = None
        self._textarea_start = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            method = attributes.get("method", "get").lower()
            self.forms.append(Form(action=attributes.get("action", ""), method=method))
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = attributes.get("name")
        if tag == "input" and name:
            self._input(form, name, attributes)
        elif tag == "select" and name:
            form.names.add(name)
            self._select, self._select_first = name, None
        elif tag == "option" and self._select is not None:
            value = attributes.get("value")
            self._option = value
            if self._select_first is None and value is not None:
                self._select_first = value
            if "selected" in attributes and value is not None:
                form.fields[self._select] = value
        elif tag == "textarea" and name:
            form.names.add(name)
            self._textarea = name
            self._textarea_start = True
            form.fields[name] = ""

    @staticmethod
    def _input(form: Form, name: str, attributes: dict[str, str]) -> None:
        form.names.add(name)
        kind = attributes.get("type", "text").lower()
        if kind in {"submit", "button", "image", "reset", "file"}:
            return
        if kind in {"checkbox", "radio"} and "checked" not in attributes:
            return
        form.fields[name] = attributes.get("value", "on" if kind == "checkbox" else "")

    def handle_data(self, data: str) -> None:
        if self._textarea is not None and self.forms:
            if self._textarea_start:
                # A browser drops one line break right after <textarea> (HTML's parsing rules).
                for line_break in ("\r\n", "\n"):
                    if data.startswith(line_break):
                        data = data.removeprefix(line_break)
                        break
                self._textarea_start = False
            self.forms[-1].fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            form = self.forms[-1]
            # A select with nothing selected sends its first option, as a browser does.
            if self._select not in form.fields and self._select_first is not None:
                form.fields[self._select] = self._select_first
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms(html: str) -> list[Form]:
    """Every form of a page, in the page's order."""
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def post_form(page: httpx.Response, names: set[str] | None = None) -> Form:
    """The page's POST form, the first that has all of ``names`` if given.

    Raises:
        AssertionError: The page has no such form.
    """
    wanted = names or set()
    for form in forms(page.text):
        if form.method == "post" and wanted <= form.names:
            return form
    msg = f"no POST form with the fields {sorted(wanted)} on {page.url}"
    raise AssertionError(msg)


def submit(
    client: httpx.Client,
    page: httpx.Response,
    changes: Mapping[str, str | None],
    *,
    drop: set[str] | None = None,
) -> httpx.Response:
    """Send the page's POST form with ``changes`` (``None`` unticks a box), as a browser would.

    ``drop`` leaves fields out, a CSRF token for instance. Redirects are not followed, so
    that the tests see the admin's own answer. The post carries the page's origin in
    ``Origin``, as a browser's does under the admin's ``Referrer-Policy: same-origin``.
    """
    form = post_form(page, {name for name in changes if name})
    data = dict(form.fields)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    for name in drop or set():
        data.pop(name, None)
    target = urljoin(str(page.url), form.action) if form.action else str(page.url)
    return client.post(target, data=data, headers=origin_of(page), follow_redirects=False)


def origin_of(page: httpx.Response) -> dict[str, str]:
    """The ``Origin`` header a browser sends with a post from ``page``'s own forms."""
    return {"Origin": f"{page.url.scheme}://{page.url.netloc.decode()}"}


def csrf_fields(page: httpx.Response) -> set[str]:
    """The names of the hidden fields of the page's POST form that look like CSRF tokens."""
    form = post_form(page)
    return {name for name in form.fields if "csrf" in name.lower()}


def log_in(client: httpx.Client, pages: AdminPages, email: str, password: str) -> httpx.Response:
    """Fill in and send the admin's login form; the answer, redirects not followed."""
    page = client.get(pages.login)
    assert page.status_code == 200, page.status_code
    return submit(client, page, {"username": email, "password": password})
