"""All domain errors of leadpilot, in one module.

Only the CLI and API layers turn them into exit codes or HTTP statuses. Every
error carries actionable text; validation errors carry the list of problems.
"""

from __future__ import annotations

from dataclasses import dataclass


class LeadpilotError(Exception):
    """Root of every error leadpilot raises on purpose."""

    exit_code = 1


class ConfigError(LeadpilotError):
    """leadpilot.yaml (or an option) is invalid; the message names the key and line."""

    exit_code = 2


class WorkspaceError(LeadpilotError):
    """The workspace is missing, unreadable or its backend is unreachable."""

    exit_code = 3


class WorkspaceBusyError(WorkspaceError):
    """Another process kept writing the workspace longer than the writer would wait
    (``--wait`` / ``workspace.write_wait``); nothing was changed: try again later.
    Exit status 75 (EX_TEMPFAIL: a temporary failure, worth retrying)."""

    exit_code = 75


class SourceError(LeadpilotError):
    """A source file cannot be found or read at all."""

    exit_code = 4


class EngineError(LeadpilotError):
    """The backend refused an operation (nothing was changed)."""

    exit_code = 5


class UsageError(LeadpilotError):
    """A command was called with options that do not fit together."""

    exit_code = 2


class ModelMismatchError(UsageError):
    """A saved scoring model does not fit this leadpilot, this scikit-learn or this
    configuration (the message lists what differs); retrain with ``leadpilot score train``.
    ``differences`` holds one line per difference."""

    def __init__(self, message: str, differences: list[str] | None = None):
        super().__init__(message)
        self.differences = list(differences or [])


class MissingDataError(LeadpilotError):
    """The workspace lacks the data an analysis needs (e.g. touchpoints for attribution);
    the message says which data and how to provide it."""

    exit_code = 7


# How a validation problem and its summary are framed (i18n holds the French).
PROBLEM_WORDS = {
    "row": ", row {}",
    "column": ", column {!r}",
    "empty": ": got an empty value",
    "got": ": got {!r}",
    "expected": "; expected {}",
    "fix": "; fix: {}",
    "no_detail": "no detail",
    "more": " (and {} more problem(s) in {})",
    "summary": "{} problem(s); nothing was loaded. First: {}{}. {}",
    "thousands": ",",  # the counts' thousands separator (2,381)
}


@dataclass(frozen=True)
class Problem:
    """One bad value (or bad row) in one source file."""

    table: str
    file: str
    row: int | None  # 1-based line number in the file (header is line 1 for csv)
    column: str | None
    value: str | None
    expected: str
    severity: str = "error"  # "error" or "warning"
    fix: str | None = None  # the setting or change that would fix it

    def __str__(self) -> str:
        return self.text()

    def text(self, words: dict[str, str] | None = None, translate=lambda text: text) -> str:
        """Where, the value as written, what was expected and the fix, framed by ``words``
        (:data:`PROBLEM_WORDS`, or a translation of them) with ``translate`` applied to
        the expected and fix texts."""
        w = words or PROBLEM_WORDS
        where = self.file
        if self.row is not None:
            where += w["row"].format(self.row)
        if self.column:
            where += w["column"].format(self.column)
        if self.value is None:
            got = ""
        elif self.value.strip() == "":
            got = w["empty"]
        else:
            got = w["got"].format(self.value)
        fix = w["fix"].format(translate(self.fix)) if self.fix else ""
        return f"{where}{got}{w['expected'].format(translate(self.expected))}{fix}"

    def as_dict(self) -> dict:
        return {
            "table": self.table,
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "expected": self.expected,
            "severity": self.severity,
            "fix": self.fix,
        }


class ValidationError(LeadpilotError):
    """Input data failed validation; ``problems`` lists every problem found."""

    exit_code = 6

    def __init__(self, problems: list[Problem], total: int | None = None, hint: str | None = None):
        self.problems = problems
        self.total = total if total is not None else len(problems)
        self.hint = hint or (
            "Fix the file(s) or ingest with --policy quarantine to load the good rows."
        )
        super().__init__(self.text())

    def text(self, words: dict[str, str] | None = None, translate=lambda text: text) -> str:
        """The one-line summary: how many problems, the first, the files and the hint,
        framed by ``words`` (:data:`PROBLEM_WORDS`, or a translation of them)."""
        w = words or PROBLEM_WORDS
        files = sorted({p.file for p in self.problems})
        first = self.problems[0].text(w, translate) if self.problems else w["no_detail"]
        def count(n: int) -> str:
            return f"{n:,}".replace(",", w.get("thousands", ","))

        more = w["more"].format(count(self.total - 1), ", ".join(files)) if self.total > 1 else ""
        return w["summary"].format(count(self.total), first, more, translate(self.hint))


class SourceLayoutError(ValidationError):
    """Source files do not fit the configuration: a column it maps is missing (or the
    header reads with another delimiter), a date layout must be stated. No row could load
    right whatever the policy, and each problem names the setting that fixes it: exit
    status 2, as a wrong setting (rows that fail validation exit 6)."""

    exit_code = 2


class Notice(str):
    """A warning that comes with a result: the sentence a person reads, and a stable ``code``
    that scripts and tests filter on (the sentence may be reworded, the code stays).

    A notice *is* its sentence (a ``str``): ``str(notice)`` and JSON give the sentence,
    so ``meta.warnings`` stays a list of strings; ``meta.notices`` lists ``{"code",
    "message"}``. The codes are listed in :data:`leadpilot.results.notices.CODES`.

    Examples
    --------
    >>> n = Notice("division_by_zero", "cpl: null where leads = 0 (division by zero)")
    >>> n.code, str(n)
    ('division_by_zero', 'cpl: null where leads = 0 (division by zero)')
    >>> n.startswith("cpl")
    True
    """

    code: str
    # the figures the sentence states, for a reader that writes them its own way (a
    # report's counted note, a dashboard card): read from here, never parsed back from
    # the sentence; in JSON under ``meta.notices[].data`` when there are any
    data: dict

    def __new__(cls, code: str, message: str, data: dict | None = None) -> Notice:
        self = super().__new__(cls, message)
        self.code = code
        self.data = dict(data or {})
        return self

    @property
    def message(self) -> str:
        """The sentence, as a plain ``str``."""
        return str.__str__(self)

    def as_dict(self) -> dict:
        out: dict = {"code": self.code, "message": self.message}
        if self.data:
            out["data"] = dict(self.data)
        return out

    def __repr__(self) -> str:
        return f"Notice({self.code!r}, {self.message!r})"

    def __reduce__(self):
        return (type(self), (self.code, self.message, self.data))
