"""Turn the OpenAPI schema into plain data for the server-rendered docs page."""

from __future__ import annotations

from typing import Any

_METHOD_ORDER = ["get", "post", "put", "patch", "delete"]


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def type_label(schema: dict[str, Any]) -> str:
    """Return a short human name of a JSON Schema type ("list of Paper", "integer or null")."""
    if not schema:
        return "any"
    if "$ref" in schema:
        return _ref_name(schema["$ref"])
    for combiner in ("anyOf", "oneOf", "allOf"):
        if combiner in schema:
            return " or ".join(type_label(s) for s in schema[combiner])
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        return " or ".join(kind)
    if kind == "array":
        return f"list of {type_label(schema.get('items', {}))}"
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return kind


def constraints(schema: dict[str, Any]) -> str:
    """Return the limits of a value ("1 to 100", "at most 200 characters")."""
    parts = []
    if "minimum" in schema and "maximum" in schema:
        parts.append(f"{schema['minimum']} to {schema['maximum']}")
    elif "minimum" in schema:
        parts.append(f"at least {schema['minimum']}")
    elif "maximum" in schema:
        parts.append(f"at most {schema['maximum']}")
    if "minLength" in schema and schema["minLength"] > 0:
        parts.append(f"at least {schema['minLength']} characters")
    if "maxLength" in schema:
        parts.append(f"at most {schema['maxLength']} characters")
    if "default" in schema and schema["default"] is not None:
        parts.append(f"default {str(schema['default']).lower()}")
    for sub in schema.get("anyOf", []):
        text = constraints(sub)
        if text:
            parts.append(text)
    return "; ".join(parts)


def notes(description: str, limits: str) -> str:
    """Join a description and its limits into sentences."""
    parts = [description.strip().rstrip(".")] if description.strip() else []
    if limits:
        parts.append(limits[0].upper() + limits[1:])
    return ". ".join(parts) + "." if parts else ""


def _fields(schema: dict[str, Any]) -> list[dict]:
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "type": type_label(prop),
            "required": name in required,
            "notes": notes(prop.get("description", ""), constraints(prop)),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


def _anchor(method: str, path: str) -> str:
    cleaned = "".join(c if c.isalnum() else "-" for c in path).strip("-")
    return f"{method}-{cleaned}"


def describe(schema: dict[str, Any]) -> dict:
    """Return the operations (grouped by tag) and the components of an OpenAPI schema."""
    groups: dict[str, list[dict]] = {}
    for path, item in schema.get("paths", {}).items():
        for method in sorted(item, key=lambda m: _METHOD_ORDER.index(m)):
            operation = item[method]
            body = (
                operation.get("requestBody", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema", {})
            )
            entry = {
                "anchor": _anchor(method, path),
                "method": method.upper(),
                "path": path,
                "summary": operation.get("summary", ""),
                "description": operation.get("description", ""),
                "auth": bool(operation.get("security")),
                "parameters": [
                    {
                        "name": p["name"],
                        "where": p["in"],
                        "required": p.get("required", False),
                        "type": type_label(p.get("schema", {})),
                        "notes": notes(
                            p.get("description")
                            or p.get("schema", {}).get("description", ""),
                            constraints(p.get("schema", {})),
                        ),
                    }
                    for p in operation.get("parameters", [])
                ],
                "body": type_label(body) if body else "",
                "responses": [
                    {
                        "status": status,
                        "description": response.get("description", ""),
                        "type": type_label(
                            response.get("content", {})
                            .get("application/json", {})
                            .get("schema", {})
                        ),
                    }
                    for status, response in sorted(
                        operation.get("responses", {}).items()
                    )
                ],
            }
            tag = (operation.get("tags") or ["other"])[0]
            groups.setdefault(tag, []).append(entry)
    components = [
        {"name": name, "description": s.get("description", ""), "fields": _fields(s)}
        for name, s in sorted(schema.get("components", {}).get("schemas", {}).items())
    ]
    return {
        "title": schema.get("info", {}).get("title", ""),
        "version": schema.get("info", {}).get("version", ""),
        "groups": sorted(groups.items()),
        "components": components,
    }
