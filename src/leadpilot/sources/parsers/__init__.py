"""Vectorised value parsers for source ingest, built on ``pyarrow.compute``.

CRM and marketing exports write dates, amounts and picklists in many local
styles. Each parser turns a whole text column into a typed Arrow array plus a
``failed`` mask (value present but unreadable), so ingest can report the bad
cells instead of guessing. Everything runs as column-wide Arrow kernels, never
as a Python loop over values, because one import can hold 20 million rows.

Shared conventions:

* input is a ``pa.Array`` or ``pa.ChunkedArray`` of strings; a chunked input
  gives chunked outputs with the same chunk layout (chunks are processed one at
  a time, which also bounds memory and never overflows 32-bit string offsets);
* already-typed input (Excel cells: numbers, dates, timestamps) is converted,
  not re-parsed, and never fails;
* null or blank (after trimming) input gives a null value and ``failed`` False.

One module per kind: ``dates`` (timestamps and dates), ``numbers`` (numbers and
money), ``text`` (enums, e-mails, blanks, "no value" markers); ``_arrow`` holds
the helpers they share.
"""

from ._arrow import ArrayLike, Parsed
from ._arrow import _text as _text  # typing.py tells typed cells from text with it
from .dates import parse_dates, parse_timestamps
from .numbers import parse_numbers
from .text import apply_na_values, is_blank, normalise_email, normalise_enum

__all__ = [
    "ArrayLike",
    "Parsed",
    "apply_na_values",
    "is_blank",
    "normalise_email",
    "normalise_enum",
    "parse_dates",
    "parse_numbers",
    "parse_timestamps",
]
