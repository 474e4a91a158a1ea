#!/usr/bin/env python3
"""Seeds for the command_bodies target: for every command of the OpenAPI document (read from
stdin) a minimal body of the documented shape, alone and after the aggregate's creating command,
encoded as the target reads its input ([aggregate byte][command byte][body], 0xFF between steps).
Written to fuzz/seeds/command_bodies/ (not committed: derived from the document every run)."""
import itertools, json, os, sys

document = json.load(sys.stdin)
schemas = document["components"]["schemas"]
commands = {}
for path in sorted(document["paths"]):
    parts = path.split("/")
    # /v1/{aggregate}/{id}/{command}; the client's approval routes (/v1/public/approval/...) are
    # no aggregate's commands.
    if len(parts) == 5 and parts[3] == "{id}" and not parts[4].startswith("{"):
        commands.setdefault(parts[2], []).append((parts[4], document["paths"][path]["post"]))
aggregates = sorted(commands)

UUID = itertools.count(1)

def example(schema, depth=0):
    if "$ref" in schema:
        return example(schemas[schema["$ref"].rsplit("/", 1)[1]], depth + 1)
    for key in ("oneOf", "anyOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"] or schema[key]
            return example(options[0], depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object":
        props = schema.get("properties", {})
        return {k: example(props[k], depth + 1) for k in schema.get("required", [])}
    if kind == "array":
        return [example(schema.get("items", {}), depth + 1)] if depth < 4 else []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return True
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "uuid":
            return "0190%04x-0000-7000-8000-000000000001" % next(UUID)
        if fmt == "date-time":
            return "2026-06-01T10:00:00Z"
        if fmt == "date":
            return "2026-06-01"
        return "main"
    return None

out = "fuzz/seeds/command_bodies"
os.makedirs(out, exist_ok=True)
written = 0
for a, aggregate in enumerate(aggregates):
    bodies = []
    for c, (name, operation) in enumerate(commands[aggregate]):
        schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
        body = json.dumps(example(schema), ensure_ascii=False).encode()
        bodies.append((c, name, body))
    creating = [b for b in bodies if b[1] in ("register", "create", "open", "issue", "hire", "define", "set_shop_name")]
    for c, name, body in bodies:
        with open(f"{out}/{aggregate}-{name}", "wb") as f:
            f.write(bytes([a, c]) + body)
        for cc, cname, cbody in creating[:1]:
            with open(f"{out}/{aggregate}-{cname}-then-{name}", "wb") as f:
                f.write(bytes([a, cc]) + cbody + b"\xff" + bytes([a, c]) + body)
        written += 1
print(f"fuzz: {written} command seeds in {out}", file=sys.stderr)
