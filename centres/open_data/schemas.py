"""The official HSDS 3.1 schemas we ship (centres/data/hsds-3.1/, CC BY-SA 4.0, origin in its ORIGIN.md), read from
disk once: the API serves its OpenAPI document from them, the package describes its tables by them, and the tests
validate every object against them. Nothing is ever fetched over the network."""

import functools
import json
from pathlib import Path

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "data" / "hsds-3.1"


@functools.cache
def schema(name: str) -> dict:
    """The JSON Schema of one HSDS object ("service", "phone", …)."""
    return json.loads((SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8"))


@functools.cache
def official_openapi() -> dict:
    return json.loads((SCHEMA_DIR / "openapi.json").read_text(encoding="utf-8"))


@functools.cache
def official_datapackage() -> dict:
    return json.loads((SCHEMA_DIR / "datapackage.json").read_text(encoding="utf-8"))


def schema_names() -> list[str]:
    """Every object that has a schema of its own."""
    return sorted(path.stem for path in SCHEMA_DIR.glob("*.json") if path.stem not in ("openapi", "datapackage"))
