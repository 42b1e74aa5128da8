"""How a message names an option to its reader: the command line's flag (``--from``), the
Python API's parameter (``date_from``) or the REST API's query parameter (``from``).

Errors are written once, where they are found (deep in metrics, diagnostics, scoring), in
the command line's words: ``--from 2025-06-01 is after --to 2025-01-01``. The boundaries
rewrite them for their readers with :func:`reworded` and the one table :data:`OPTIONS`:
:class:`~leadpilot.pilot.Pilot` opened for Python (``leadpilot.open``) says
``date_from='2025-06-01' is after date_to='2025-01-01'``, the REST API says
``from=2025-06-01 is after to=2025-01-01``, the command line keeps its flags.

Examples
--------
>>> reworded_text("--months must be at least 1", "python")
'months must be at least 1'
>>> reworded_text("--from 2025-06-01 is after --to 2025-01-01: the range holds no day", "rest")
'from=2025-06-01 is after to=2025-01-01: the range holds no day'
>>> reworded_text("give exactly one of --capacity N_PER_MONTH or --target-acceptance RATE",
...               "python")
'give exactly one of capacity=N_PER_MONTH or target_acceptance=RATE'
>>> reworded_text("no trained model: run `leadpilot score train` or use --using rules", "python")
"no trained model: run `score_train()` or use using='rules'"
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..errors import LeadpilotError, UsageError, ValidationError

# who reads the message: the command line (flags, unchanged), Python, the REST API
AUDIENCES = ("options", "python", "rest")


@dataclass(frozen=True)
class Option:
    """One option of the command line under its other names."""

    python: str  # the Pilot method's parameter
    rest: str | None = None  # the REST API's parameter (None: it has none; the flag stays)
    words: str = ""  # the literal values it takes in messages ("rules"), a regex


# flag -> its names elsewhere: the one table (a new option with a message is one line here)
OPTIONS: dict[str, Option] = {
    "--from": Option("date_from", "from"),
    "--to": Option("date_to", "to"),
    "--as-of": Option("as_of", "as_of"),
    "--by": Option("by", "by", "channel|campaign|content"),
    "--period": Option("period", "period"),
    "--view": Option("view", "view", "cohort|activity"),
    "--kpi": Option("kpis", "kpi", "all"),
    "--model": Option("model", "model", "all|auto|logistic|boosted"),
    "--conversion": Option("conversion", "conversion"),
    "--lookback": Option("lookback", "lookback"),
    "--current": Option("current", "current"),
    "--previous": Option("previous", "previous"),
    "--vs": Option("vs", "vs", "previous|last-year|none"),
    "--target-revenue": Option("target_revenue", "target_revenue"),
    "--budget": Option("budget", "budget"),
    "--mix": Option("mix", "mix"),
    "--shift": Option("shift", "shift"),
    "--months": Option("months", "months"),
    "--lang": Option("lang", "lang", "en|fr"),
    "--format": Option("fmt", "format", "html|pdf|xlsx|md|json|csv|table"),
    "--out": Option("path"),
    "--policy": Option("policy", "policy", "strict|quarantine"),
    "--table": Option("table", "table"),
    "--input": Option("input"),
    "--reasons": Option("reasons", "reasons"),
    "--target": Option("target", None, "sql|opportunity|customer"),
    "--horizon": Option("horizon"),
    "--capacity": Option("capacity"),
    "--target-acceptance": Option("target_acceptance"),
    "--using": Option("using", None, "auto|model|rules"),
    "--role": Option("role", "role", "read|write|admin"),
    "--wait": Option("wait"),
    "--leads": Option("leads"),
    "--seed": Option("seed"),
}

# Whole phrases that read badly once the flag is a parameter: (CLI, Python, REST).
PHRASES: tuple[tuple[str, str, str], ...] = (
    (
        "give the mix with --mix",
        "give the revenue shares by channel with mix (e.g. mix={'paid_search': 0.6, "
        "'outbound': 0.4})",
        "give the revenue shares by channel with mix (e.g. mix=paid_search=0.6,outbound=0.4)",
    ),
)

# What follows a flag as its value in a message: a quoted value, a date, a number, a
# PLACEHOLDER (N_PER_MONTH), or one of the option's literal words.
_QUOTED = r"'[^']*'|\"[^\"]*\""
_DATE = r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?"
_NUMBER = r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
_PLACEHOLDER = r"[A-Z][A-Z0-9_]*"
_CONSTANT = r"True|False|None"  # a Python value given where a number was expected
_FLAG = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)(?: (?P<value>" + "|".join(
    (_QUOTED, _DATE, _NUMBER, _CONSTANT, _PLACEHOLDER, r"[a-z][a-z-]*")) + r"))?(?![\w-])")
_COMMAND = re.compile(r"`leadpilot [^`]*`")
_SPANS = re.compile(r"(`[^`]*`)")
# a CLI command of scoring, as the Pilot method that does the same
_SCORE_COMMAND = re.compile(r"`leadpilot score (train|evaluate|apply|threshold)\b[^`]*`")


def _value(value: str, option: Option, audience: str) -> str | None:
    """The value as the audience writes it; None when the word is not the option's value
    (``--months must``: 'must' is the sentence, not a value)."""
    if re.fullmatch(_QUOTED, value):
        return value
    if re.fullmatch(_DATE, value):
        return repr(value) if audience == "python" else value
    if any(re.fullmatch(x, value) for x in (_NUMBER, _CONSTANT, _PLACEHOLDER)):
        return value
    if option.words and re.fullmatch(option.words, value):
        return repr(value) if audience == "python" else value
    return None


def _flags(text: str, audience: str) -> str:
    def one(m: re.Match) -> str:
        option = OPTIONS.get(m.group(1))
        name = None if option is None else option.python if audience == "python" else option.rest
        if name is None:  # not an option of the table, or none the REST API takes: as written
            return m.group(0)
        value = m.group("value")
        if value is None:
            return name
        said = _value(value, option, audience)
        return f"{name}={said}" if said is not None else f"{name} {value}"

    return _FLAG.sub(one, text)


def reworded_text(text: str, audience: str) -> str:
    """``text`` with the command line's flags named as ``audience`` names them (see the
    module). Commands quoted in backticks stay commands (``leadpilot kpis --by channel``),
    but for Python a scoring command is its method (```score_train()```)."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience {audience!r}: expected one of {', '.join(AUDIENCES)}")
    if audience == "options" or "--" not in text and "`leadpilot " not in text:
        return text
    for cli, python, rest in PHRASES:
        text = text.replace(cli, python if audience == "python" else rest)
    if audience == "python":
        text = _SCORE_COMMAND.sub(lambda m: f"`score_{m.group(1)}()`", text)
    parts = _SPANS.split(text)
    return "".join(
        part if _COMMAND.fullmatch(part) else _flags(part, audience) for part in parts
    )


def reworded(exc: LeadpilotError, audience: str) -> LeadpilotError:
    """The error, its message (and a validation error's problems and hint) rewritten in
    place for ``audience``; the type, the traceback and the other attributes are kept.
    The message as first written stays in ``exc.option_message``."""
    if audience == "options":
        return exc
    if isinstance(exc, ValidationError):
        exc.problems = [
            dataclasses.replace(
                p,
                expected=reworded_text(p.expected, audience),
                fix=reworded_text(p.fix, audience) if p.fix else p.fix,
            )
            for p in exc.problems
        ]
        exc.hint = reworded_text(exc.hint, audience)
        text = exc.text(getattr(exc, "words", None))
    elif len(exc.args) == 1 and isinstance(exc.args[0], str):
        text = reworded_text(exc.args[0], audience)
    else:  # an error built another way: its message is its own
        return exc
    if text != str(exc):
        if not hasattr(exc, "option_message"):
            exc.option_message = str(exc)
        exc.args = (text,)
    return exc


@contextlib.contextmanager
def worded(audience: str) -> Iterator[None]:
    """Errors raised inside name the options as ``audience`` does (see :func:`reworded`)."""
    if audience not in AUDIENCES:
        raise UsageError(f"names {audience!r}: expected one of {', '.join(AUDIENCES)}")
    try:
        yield
    except LeadpilotError as exc:
        reworded(exc, audience)
        raise


def speaking_to_its_reader(cls: type) -> type:
    """Every public method of ``cls`` names the options as the object's reader does
    (``self.names``): the messages are written with the command line's flags where they
    are found, and rewritten once, at the boundary (a Pilot, the Report it makes)."""

    def named(method: Callable) -> Callable:
        @functools.wraps(method)
        def call(self, *args, **kwargs):
            with worded(self.names):
                return method(self, *args, **kwargs)

        return call

    for name, member in list(vars(cls).items()):
        if not name.startswith("_") and inspect.isfunction(member):
            setattr(cls, name, named(member))
    return cls
