"""Validation against the official HSDS 3.1 schemas we ship, offline: every `$ref` ("unit.json") resolves to a file
of centres/data/hsds-3.1/ through a `referencing` registry, never over the network; formats (uuid, date-time,
email, uri) are checked."""

import functools

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from centres.open_data.schemas import schema, schema_names


@functools.cache
def registry() -> Registry:
    resources = [
        (f"{name}.json", Resource(contents=schema(name), specification=DRAFT202012)) for name in schema_names()
    ]
    return Registry().with_resources(resources)


@functools.cache
def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"{name}.json"}, registry=registry(), format_checker=FormatChecker())


def errors(name: str, instance: dict) -> list[str]:
    """Every way `instance` breaks the schema of the HSDS object `name`, as readable lines ([] when valid)."""
    return [
        f"{name}{''.join(f'[{part!r}]' for part in error.absolute_path)}: {error.message}"
        for error in validator(name).iter_errors(instance)
    ]


def assert_valid(name: str, instance: dict) -> None:
    found = errors(name, instance)
    assert not found, "\n".join(found[:20])
