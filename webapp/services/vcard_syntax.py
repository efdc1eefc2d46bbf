"""vCard syntax: content lines read into properties, values unescaped and split, values escaped for writing.

The only module of the app that imports vobject. Its line reader and line parser read the content lines (folding,
names, groups, parameters, values); its component building (a ContentLine object per line, two thirds of its parse
time) is not used, nor its vCard 3.0 value decoding, which truncates text at the first comma (vobject #55), keeps
the first NICKNAME (#138), cuts `data:` URIs (#103) and keeps `\\:`: values are unescaped per property, by the
property handlers (vcard_properties). Writing uses vobject's own encoding helpers, under the names below.
"""
import re
from collections.abc import Iterable
from typing import NamedTuple

import vobject
from vobject.base import VObjectError, backslashEscape, dquoteEscape

__all__ = ["CardSyntaxError", "Property", "escape_param", "escape_text", "read_properties", "split_values",
           "types_of", "unescape"]

# What vobject raises on a card it cannot read (and dquoteEscape on a parameter value holding a double quote).
CardSyntaxError = VObjectError
escape_text = backslashEscape  # a text value: \\, \n, \; and \, escaped
escape_param = dquoteEscape  # a parameter value: quoted when it holds ; : or ,


class Property(NamedTuple):
    """One content line: upper-case name and group, named parameters (upper-case names), bare 2.1 parameters, the
    raw (still escaped) value."""

    name: str
    group: str | None
    params: dict[str, list[str]]
    bare: list[str]
    value: str


def read_properties(lines: Iterable[str]) -> tuple[list[Property], int]:
    """The properties of one card, from its logical (already unfolded) lines, and how many lines were dropped
    (unreadable, stray BEGIN/END, the lines of a nested component never closed); a closed nested component (AGENT)
    is skipped without counting.

    vobject's line parser reads each line; its line reader (getLogicalLines) is not used: the lines are unfolded as
    bytes by vcard_decode, within the line bound (its regular expression took 1.5 GB for a 9 MB folded line). Nor is
    readOne, which would also build a ContentLine object per line only for this function to copy out the same five
    values."""
    properties, dropped, depth, nested = [], 0, 0, 0
    for number, logical in enumerate(lines, 1):
        if not logical.strip():
            continue
        try:
            name, params, value, group = vobject.base.parseLine(_without_empty_params(logical), number)
        except VObjectError:
            dropped += 1
            continue
        name = name.upper()
        if name == "BEGIN":
            depth += 1
        elif name == "END":
            dropped, depth, nested = _end(dropped, depth, nested)
        elif depth:
            nested += 1
        else:
            properties.append(_property(name, params, value, group))
    dropped += nested if depth else 0  # a nested component never closed: its lines are lost, say so
    if dropped and not properties:
        raise vobject.base.ParseError("no readable content line", None)
    return properties, dropped


_EMPTY_PARAM = re.compile(r";+(?=;|$)")


def _without_empty_params(line: str) -> str:
    """The line without its empty parameters (`ADR;HOME;PREF;:...`, as Outlook writes it), which vobject's parser
    refuses: the property and its other parameters are read."""
    head_end = _head_end(line)
    head = line[:head_end]
    if ";;" not in head and not head.endswith(";"):
        return line
    return _EMPTY_PARAM.sub("", head) + line[head_end:]


def _head_end(line: str) -> int:
    """Where the name and parameters end: the first colon outside a quoted parameter value (or the line's end)."""
    colon = line.find(":")
    if colon < 0:
        return len(line)
    if '"' not in line[:colon]:
        return colon
    quoted = False
    for position, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return position
    return len(line)


def _end(dropped: int, depth: int, nested: int) -> tuple[int, int, int]:
    """(dropped, depth, nested) after an END line: a stray one is dropped; closing a nested component forgets
    its lines, skipped on purpose."""
    if not depth:
        return dropped + 1, depth, nested
    depth -= 1
    return dropped, depth, 0 if not depth else nested


def _property(name: str, params: list, value: str, group: str | None) -> Property:
    """A Property from vobject's parsed line: parameters by upper-case name, bare ones apart."""
    named: dict[str, list[str]] = {}
    bare: list[str] = []
    for param in params:
        if len(param) == 1:
            bare.append(param[0])
        else:
            named.setdefault(param[0].upper(), []).extend(param[1:])
    return Property(name, group.upper() if group else None, named, bare, value)


# Text unescaping: \n and \N are newlines; \, \; \: \\ (and any other escaped character) stand for themselves.
_ESCAPED = re.compile(r"\\(.)", re.S)


def unescape(value: str) -> str:
    """A text value with its backslash escapes resolved."""
    if "\\" not in value:
        return value
    return _ESCAPED.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


_ESCAPE_TOKENS = re.compile(r"(\\.)", re.S)  # compiled once: re.split's cache lookup with flags costs more than the split


def split_values(value: str, separator: str) -> list[str]:
    """Split on `separator` where it is not backslash-escaped, then unescape each part."""
    if "\\" not in value:
        return value.split(separator)
    parts, current = [], []
    for token in _ESCAPE_TOKENS.split(value):
        if token.startswith("\\") and len(token) == 2:
            current.append(token)
            continue
        pieces = token.split(separator)
        current.append(pieces[0])
        for piece in pieces[1:]:
            parts.append("".join(current))
            current = [piece]
    parts.append("".join(current))
    return [unescape(p) for p in parts]


_NOT_TYPES = {"BASE64", "B", "QUOTED-PRINTABLE", "8BIT", "7BIT", "INLINE", "URL", "URI", "CONTENT-ID", "CID",
              "X-UNKNOWN", "VCARD", "VALUE"}
_LANGUAGE_TAG = re.compile(r"^[a-z]{2}-[a-z]{2}$", re.I)  # de-DE, a LANGUAGE written bare
_CHARSET_LIKE = re.compile(r"^(utf-?8|utf-?16|us-ascii|iso-?8859-\d+|windows-\d+|cp\d+|shift[_-]jis)$", re.I)


def types_of(prop: Property) -> frozenset[str]:
    """TYPE values and bare 2.1 parameters, lower-case; PREF=1 (4.0) counts as "pref"."""
    types = set()
    for value in prop.params.get("TYPE", ()):
        types.update(v.strip().lower() for v in value.split(",") if v.strip())
    for value in prop.bare:
        if value.upper() in _NOT_TYPES or _CHARSET_LIKE.match(value) or _LANGUAGE_TAG.match(value):
            continue
        types.add(value.lower())
    if "PREF" in prop.params:
        types.add("pref")
    return frozenset(types)
