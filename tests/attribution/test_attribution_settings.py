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
