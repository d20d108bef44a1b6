import scaffold


def test_public_api_is_pinned() -> None:
    assert sorted(scaffold.__all__) == [
        "GenerateRequest",
        "GenerateResult",
        "ScaffoldError",
        "UserError",
        "__version__",
        "generate",
    ]
    for name in scaffold.__all__:
        assert getattr(scaffold, name) is not None


def test_version_is_pep440() -> None:
    from packaging.version import Version

    assert str(Version(scaffold.__version__)) == scaffold.__version__
