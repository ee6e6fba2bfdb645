"""API input schemas made from the services' own input dataclasses, so an operation takes
exactly what its service takes: a field added to `IntakeData` is in the API the same day.

A field whose Python type is a model travels as a reference: a `Division` as its GB/T 2260
code, any other model as its id; the operation turns them back
(`regions.selectors.references_resolve`).
Choice fields may be narrowed to their values (`choices`), so the API document lists them.
Fields the API leaves out are named, each with why (`internal`), and `tests/test_schemas.py`
holds every service input to its schema.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal

from django.db import models
from ninja import Schema
from pydantic import Field, create_model


def _model_of(annotation: Any) -> type[models.Model] | None:
    """The model class in `Model` or `Model | None`, else None."""
    options = typing.get_args(annotation) if _is_union(annotation) else (annotation,)
    for option in options:
        if isinstance(option, type) and issubclass(option, models.Model):
            return option
    return None


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def reference_fields(data_class: type) -> dict[str, type[models.Model]]:
    """{field: model} for the dataclass's fields that hold a model instance."""
    hints = typing.get_type_hints(data_class)
    return {
        f.name: model
        for f in dataclasses.fields(data_class)
        if (model := _model_of(hints[f.name])) is not None
    }


def input_schema(
    data_class: type,
    *,
    name: str,
    choices: Mapping[str, list[str]] | None = None,
    internal: Mapping[str, str] | None = None,
    extra: Mapping[str, tuple[Any, Any]] | None = None,
) -> type[Schema]:
    """A ninja Schema with one field per field of `data_class`, with the same default."""
    hints = typing.get_type_hints(data_class)
    choices = choices or {}
    internal = internal or {}
    fields: dict[str, tuple[Any, Any]] = {}
    for f in dataclasses.fields(data_class):
        if f.name in internal:
            continue
        annotation = hints[f.name]
        model = _model_of(annotation)
        if model is not None:
            wire = str if model._meta.label_lower == "regions.division" else int
            annotation = wire | None
        if f.name in choices:
            annotation = Literal[tuple(choices[f.name])]  # type: ignore[valid-type]
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = ...
        if default is ... and annotation is str:
            # A string the service needs may not be empty: said in the document too.
            default = Field(..., min_length=1)
        fields[f.name] = (annotation, default)
    unknown = set(internal) - {f.name for f in dataclasses.fields(data_class)}
    if unknown:
        raise TypeError(f"{name}: {sorted(unknown)} are not fields of {data_class.__name__}")
    fields.update(extra or {})
    return create_model(name, __base__=Schema, **fields)
