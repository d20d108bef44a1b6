"""Every answer is JSON, whatever the request's `Accept` header asks for (CONTRACT.md).

DRF's default negotiation answers 406 when no renderer matches `Accept`; the contract of every
project scaffold makes says the API has one representation and sends it regardless, so a
client asking for HTML or XML gets the JSON answer (or problem+json) it can read, not an
empty refusal. Request bodies still go by their `Content-Type` (DRF's parser choice is kept),
and the export picks its file format from `?format=` (tasks/views.py).
https://www.django-rest-framework.org/api-guide/content-negotiation/#custom-content-negotiation
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.negotiation import DefaultContentNegotiation

if TYPE_CHECKING:
    from collections.abc import Iterable

    from rest_framework.renderers import BaseRenderer
    from rest_framework.request import Request


class JsonOnly(DefaultContentNegotiation):
    """DRF's content negotiation, minus the refusal: the view's first renderer always answers."""

    def select_renderer(
        self,
        request: Request,  # noqa: ARG002 - DRF's signature
        renderers: Iterable[BaseRenderer],
        format_suffix: str | None = None,  # noqa: ARG002 - DRF's signature
    ) -> tuple[BaseRenderer, str]:
        """Return the first renderer of the view (JSON) and its media type."""
        renderer = next(iter(renderers))
        return renderer, renderer.media_type
