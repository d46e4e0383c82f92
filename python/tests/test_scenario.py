"""herdlab.scenario: load, inspect, edit with dotted keys, validate, save."""

from __future__ import annotations

from pathlib import Path

import pytest

import herdlab


def test_the_installed_package_is_tested_not_the_source_tree() -> None:
    here = Path(__file__).resolve().parents[1] / "herdlab"
    assert Path(herdlab.__file__).resolve().parent != here
    assert herdlab.__version__


def test_a_bundled_scenario_loads_and_reads_by_dotted_key() -> None:
    s = herdlab.scenario("regional-monoculture")
    assert s.name == "regional-monoculture"
    assert s.get("models.similarity") == pytest.approx(0.7)
    assert s["adoption.banks.E1"] == "vendor-a"
    assert not s.edited
    assert "regional-monoculture" in repr(s)


def test_set_edits_a_copy_only_and_chains() -> None:
    s = herdlab.scenario("regional-monoculture")
    t = s.copy().set("models.similarity", 0.9).set("run.paths", 17)
    assert t.get("models.similarity") == pytest.approx(0.9)
    assert t.get("run.paths") == 17
    assert t.edited
    assert s.get("models.similarity") == pytest.approx(0.7)
    assert t.validate() == [] or all(isinstance(w, str) for w in t.validate())


def test_an_invalid_value_raises_scenario_error_naming_field_value_and_range() -> None:
    s = herdlab.scenario("regional-monoculture").set("models.similarity", 1.5)
    with pytest.raises(herdlab.ScenarioError) as e:
        s.validate()
    assert isinstance(e.value, herdlab.HerdlabError)
    assert "models.similarity" in str(e.value)
    fields = [p[0] for p in e.value.problems]
    assert any("similarity" in f for f in fields), e.value.problems
    field, value, allowed = next(p for p in e.value.problems if "similarity" in p[0])
    assert "1.5" in value and allowed


def test_every_problem_is_reported_at_once() -> None:
    s = herdlab.scenario("regional-monoculture")
    s.set("models.similarity", -1.0).set("run.paths", 0)
    with pytest.raises(herdlab.ScenarioError) as e:
        s.validate()
    assert len(e.value.problems) >= 2, e.value.problems


def test_an_unknown_field_or_scenario_is_a_scenario_error() -> None:
    with pytest.raises(herdlab.ScenarioError, match="no-such-scenario"):
        herdlab.scenario("no-such-scenario")
    s = herdlab.scenario("baseline").set("models.similarty", 0.5)
    with pytest.raises(herdlab.ScenarioError, match="similarty"):
        s.validate()


def test_bad_keys_and_values_are_refused_clearly() -> None:
    s = herdlab.scenario("baseline")
    with pytest.raises(TypeError, match="models.similarity"):
        s.set("models.similarity", {"a": 1})
    with pytest.raises(KeyError, match="models.nothing"):
        s.get("models.nothing")
    with pytest.raises(herdlab.HerdlabError):
        s.set("models..similarity", 0.5)
    with pytest.raises(herdlab.UsageError):
        herdlab.scenario(42)  # type: ignore[arg-type]


def test_save_writes_toml_that_loads_back_equal(tmp_path: Path) -> None:
    s = herdlab.scenario("regional-monoculture").set("models.similarity", 0.25)
    path = s.save(tmp_path / "edited.toml")
    t = herdlab.scenario(path)
    assert t.get("models.similarity") == pytest.approx(0.25)
    assert t.to_dict() == s.to_dict()
    t.validate()
