"""scaffold: generate starter backend projects that put a backend developer's duties into practice.

The public API is deliberately small; the CLI in :mod:`scaffold.cli` is a thin layer over it.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = [
    "GenerateRequest",
    "GenerateResult",
    "ScaffoldError",
    "UserError",
    "__version__",
    "generate",
]


def __getattr__(name: str) -> object:
    # The engine pulls in the template machinery; import it only when somebody asks for it,
    # so `import scaffold` (and with it `scaffold --help`) stays cheap.
    if name in {"GenerateRequest", "GenerateResult", "generate"}:
        from scaffold import engine  # noqa: PLC0415

        return getattr(engine, name)
    if name in {"ScaffoldError", "UserError"}:
        from scaffold import errors  # noqa: PLC0415

        return getattr(errors, name)
    message = f"module 'scaffold' has no attribute {name!r}"
    raise AttributeError(message)
