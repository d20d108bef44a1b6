from scaffold.frameworks import FRAMEWORKS, FrameworkName, get_framework
from tests.conftest import TEMPLATES


def test_enum_and_registry_list_the_same_frameworks() -> None:
    assert [member.value for member in FrameworkName] == [fw.name for fw in FRAMEWORKS]


def test_every_framework_has_a_template_folder_and_a_description() -> None:
    for framework in FRAMEWORKS:
        assert (TEMPLATES / framework.name).is_dir()
        assert framework.description
        assert "\n" not in framework.description
        assert framework.duties
        assert get_framework(framework.name) is framework


def test_copier_choices_match_the_registry() -> None:
    import yaml

    config = yaml.safe_load((TEMPLATES / "copier.yml").read_text(encoding="utf-8"))
    assert sorted(config["framework"]["choices"].values()) == sorted(fw.name for fw in FRAMEWORKS)
