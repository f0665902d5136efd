"""Turn pydantic validation errors on user answers into messages a person can act on.

Every message names the field, says what arrived and what is allowed (read from the model's JSON
Schema, so the allowed values are never written twice), and ends with what to do.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from kneeline.errors import ValidationError

__all__ = ["parse_model", "describe_errors", "field_errors", "allowed_text"]

M = TypeVar("M", bound=BaseModel)

_MAX_ERRORS = 12
_MAX_INPUT_CHARS = 60


def parse_model(model: type[M], data: Any, what: str) -> M:
    """Validate ``data`` as ``model``; raise a readable :class:`ValidationError` if it does not fit.

    Parameters
    ----------
    model
        The pydantic model the data must satisfy.
    data
        Parsed JSON (or a dict built by a prompt).
    what
        What the data is, for the message, e.g. ``"intake answers"``.

    Raises
    ------
    ValidationError
        Naming every wrong field, what arrived and the allowed values.
    """
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise ValidationError(describe_errors(exc, model, what)) from None


def describe_errors(exc: PydanticValidationError, model: type[BaseModel], what: str) -> str:
    """Return one message listing each problem of ``exc`` with the allowed values."""
    schema = model.model_json_schema()
    problems = [_describe_one(err, schema) for err in exc.errors()[:_MAX_ERRORS]]
    more = len(exc.errors()) - len(problems)
    tail = f" (and {more} more)" if more > 0 else ""
    return (f"{what}: {len(exc.errors())} problem(s){tail}: " + "; ".join(problems)
            + ". Nothing was saved; correct the answers and run the command again.")


def _describe_one(err: Mapping[str, Any], schema: dict[str, Any]) -> str:
    loc = [p for p in err.get("loc", ()) if not (isinstance(p, str) and p.startswith("function-"))]
    field = ".".join(str(p) for p in loc) or "(whole file)"
    kind = str(err.get("type", ""))
    if kind == "missing":
        sub = _schema_at(schema, loc)
        return f"'{field}' is missing; allowed: {allowed_text(sub, schema)}"
    if kind == "extra_forbidden":
        parent = _schema_at(schema, loc[:-1])
        keys = ", ".join(sorted(_resolve(parent, schema).get("properties", {})))
        return f"'{field}' is not a known field; known fields here: {keys}"
    got = _short(err.get("input"))
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    sub = _schema_at(schema, loc)
    allowed = allowed_text(sub, schema) if sub else ""
    detail = f"; allowed: {allowed}" if allowed and kind != "value_error" else ""
    return f"'{field}': got {got} ({msg}){detail}"


def _short(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= _MAX_INPUT_CHARS else text[: _MAX_INPUT_CHARS - 3] + "..."


def _resolve(node: dict[str, Any] | None, root: dict[str, Any]) -> dict[str, Any]:
    """Follow a ``$ref`` into ``$defs``."""
    if not node:
        return {}
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return _resolve(root.get("$defs", {}).get(ref.removeprefix("#/$defs/"), {}), root)
    return node


def _non_null(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """For ``anyOf [X, null]`` return X, else the node itself."""
    node = _resolve(node, root)
    options = [o for o in node.get("anyOf", []) if _resolve(o, root).get("type") != "null"]
    return _resolve(options[0], root) if len(options) == 1 else node


def _schema_at(schema: dict[str, Any], loc: Sequence[Any]) -> dict[str, Any]:
    """The sub-schema at a pydantic error location (empty if it cannot be followed)."""
    node = _resolve(schema, schema)
    for part in loc:
        node = _non_null(node, schema)
        if isinstance(part, int) and "items" in node:
            node = _resolve(node["items"], schema)
        elif isinstance(part, str) and part in node.get("properties", {}):
            node = _resolve(node["properties"][part], schema)
        elif isinstance(node.get("additionalProperties"), dict):
            node = _resolve(node["additionalProperties"], schema)
        else:
            return {}
    return node


def allowed_text(node: dict[str, Any], root: dict[str, Any]) -> str:
    """Describe in words what a JSON Schema node allows."""
    node = _resolve(node, root)
    options = [_resolve(o, root) for o in node.get("anyOf", [])]
    if options:
        parts = [allowed_text(o, root) for o in options if o.get("type") != "null"]
        nullable = any(o.get("type") == "null" for o in options)
        return " or ".join(parts) + (" (or null)" if nullable else "")
    if "enum" in node:
        return "one of " + ", ".join(json.dumps(v) for v in node["enum"])
    if "const" in node:
        return json.dumps(node["const"])
    kind = node.get("type")
    if kind == "array":
        inner = allowed_text(node.get("items", {}), root)
        inner = "any of " + inner.removeprefix("one of ") if inner.startswith("one of ") else inner
        return "a list of " + inner + (" (each at most once)" if node.get("uniqueItems") else "")
    if kind in ("integer", "number"):
        return _number_text(node, whole=kind == "integer")
    if kind == "boolean":
        return "true or false"
    if kind == "string":
        return "a date written YYYY-MM-DD" if node.get("format") == "date" else "text"
    if kind == "object":
        keys = ", ".join(node.get("properties", {}))
        return f"an object with the keys {keys}" if keys else "an object"
    return node.get("description", "see `--schema`")


def _number_text(node: dict[str, Any], whole: bool) -> str:
    noun = "a whole number" if whole else "a number"
    lo, hi = node.get("minimum"), node.get("maximum")
    if lo is not None and hi is not None:
        return f"{noun} from {lo} to {hi}"
    if lo is not None:
        return f"{noun} of at least {lo}"
    if hi is not None:
        return f"{noun} of at most {hi}"
    return noun


def field_errors(exc: PydanticValidationError, model: type[BaseModel]) -> dict[str, str]:
    """Map each wrong field (dotted path) of ``exc`` to a readable message with the allowed values.

    For forms, which show each message next to its field.
    """
    schema = model.model_json_schema()
    out: dict[str, str] = {}
    for err in exc.errors():
        loc = [p for p in err.get("loc", ()) if not (isinstance(p, str) and p.startswith("function-"))]
        field = ".".join(str(p) for p in loc) or "form"
        out.setdefault(field, _describe_one(err, schema))
    return out
