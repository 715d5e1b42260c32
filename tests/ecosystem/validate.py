"""Validate kubeposture's SARIF against the official SARIF 2.1.0 schema, and OCSF events against
the JSON Schema of their OCSF version's class (from the OCSF schema export bundled in
ocsf-json-schema). Every event is checked. Exit 1 with the first errors on any failure.

    validate.py sarif FILE SCHEMA
    validate.py ocsf FILE          (JSON lines, or one JSON array)
"""
import json
import sys

import jsonschema


def fail(errors, what):
    print(f"{what}: {len(errors)} schema error(s)")
    for e in errors[:20]:
        print(f"  {e}")
    sys.exit(1)


def sarif(path, schema_path):
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    with open(path, encoding="utf-8") as f:
        log = json.load(f)
    v = jsonschema.Draft4Validator(schema)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in v.iter_errors(log)]
    if errors:
        fail(errors, path)
    results = sum(len(r.get("results", [])) for r in log["runs"])
    print(f"{path}: valid SARIF {log['version']} ({results} results)")


def events(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if text.lstrip().startswith("["):
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def ocsf(path):
    from ocsf_json_schema import OcsfJsonSchema, OcsfJsonSchemaEmbedded, get_ocsf_schema

    evs = events(path)
    if not evs:
        print(f"{path}: no events")
        sys.exit(1)
    validators = {}
    errors = []
    for i, ev in enumerate(evs):
        version = ev.get("metadata", {}).get("version")
        profiles = tuple(sorted(ev.get("metadata", {}).get("profiles", [])))
        key = (version, ev.get("class_uid"), profiles)
        if key not in validators:
            base = OcsfJsonSchema(get_ocsf_schema(version))
            name = base.lookup_class_name_from_uid(ev["class_uid"])
            schema = OcsfJsonSchemaEmbedded(base).get_class_schema(name, list(profiles))
            validators[key] = jsonschema.Draft202012Validator(schema)
        for e in validators[key].iter_errors(ev):
            errors.append(f"event {i} ({ev.get('metadata', {}).get('event_code')}): {'/'.join(map(str, e.absolute_path))}: {e.message[:300]}")
    if errors:
        fail(errors, path)
    kinds = ", ".join(f"OCSF {v} class {c} profiles {list(p)}" for v, c, p in validators)
    print(f"{path}: {len(evs)} valid events ({kinds})")


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "sarif":
        sarif(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 3 and sys.argv[1] == "ocsf":
        ocsf(sys.argv[2])
    else:
        print(__doc__)
        sys.exit(2)
