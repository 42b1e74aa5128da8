"""The attribution: section of leadpilot.yaml."""

from __future__ import annotations

import pytest

from leadpilot.attribution import model_defs
from leadpilot.config import parse_config
from leadpilot.errors import ConfigError


def test_defaults_and_custom_weights():
    cfg = parse_config("attribution:\n  position_based: [0.5, 0.3, 0.2]\n  markov_order: 2\n")
    assert cfg.attribution.lookback_days == 90
    assert "email_open" not in cfg.attribution.touch_types
    defs = model_defs(cfg.attribution)
    assert "50 % first touch, 30 % lead-creation touch" in defs["position_based"].rule
    assert "order 2" in defs["markov"].rule


def test_problems_are_reported_with_their_line():
    text = "name: x\nattribution:\n  w_shaped: [0.5, 0.5]\n  touch_types: [visit, fax]\n"
    with pytest.raises(ConfigError) as exc:
        parse_config(text)
    msg = str(exc.value)
    assert "2 problem(s)" in msg
    assert "line 3, attribution.w_shaped" in msg and "summing to 1" in msg
    assert "line 4, attribution.touch_types" in msg and "fax" in msg


def test_the_section_keeps_its_keys_and_errors():
    """attribution: is assembled from each model's parameter class; the keys and the
    problems reported are the ones of the single class it was before."""
    from leadpilot.config import AttributionSettings

    assert set(AttributionSettings.model_fields) == {
        "lookback_days", "touch_types", "direct_channels", "keep_unlabelled",
        "time_decay_half_life_days", "position_based", "w_shaped", "full_path",
        "markov_order", "markov_null_paths", "collapse_repeats", "shapley_max_channels",
    }  # fmt: skip
    cases = {
        "position_based: [0.5, 0.6, -0.1]": [
            "line 2, attribution.position_based: expected 3 non-negative "
            "weights summing to 1"
        ],
        "full_path: [0.2, 0.2, 0.2, 0.2]": [
            "line 2, attribution.full_path: expected 5 non-negative weights "
            "summing to 1"
        ],
        "markov_order: 4\n  shapley_max_channels: 1": [
            "line 2, attribution.markov_order: Input should be less than or equal to 3",
            "line 3, attribution.shapley_max_channels: Input should be greater than or equal "
            "to 2",
        ],
        "time_decay_half_life_days: 0": [
            "line 2, attribution.time_decay_half_life_days: Input should be greater than 0"
        ],
        "lookback_days: 0\n  unknown_key: 1": [
            "line 2, attribution.lookback_days: Input should be greater than or equal to 1",
            "line 3, attribution.unknown_key: Extra inputs are not permitted",
        ],
        "direct_channels: direct\n  keep_unlabelled: maybe": [
            "line 2, attribution.direct_channels: Input should be a valid list",
            "line 3, attribution.keep_unlabelled: Input should be a valid boolean, unable to "
            "interpret input",
        ],
    }
    for text, problems in cases.items():
        with pytest.raises(ConfigError) as exc:
            parse_config(f"attribution:\n  {text}\n")
        head, _, listed = str(exc.value).partition(" problem(s): ")
        assert head.endswith(str(len(problems)))
        assert sorted(listed.split("; ")) == sorted(problems)
