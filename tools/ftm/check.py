"""Checks a file of FollowTheMoney entities (JSON lines) with
followthemoney's own model, strictly: every line parses as an entity of a
known, concrete schema; every property exists in its schema, is writable
and every value is valid for the property's type and format, within its
length limit, and already in the form FtM cleaning gives it (nothing
dropped or rewritten); required properties are present; schema.validate
passes; ids are unique and FtM entity ids; every entity reference points
at an entity of the file whose schema is within the property's range.

Usage: python check.py FILE  (exit 1 and one line per problem on failure;
on success, prints the number of entities by schema as JSON).
"""
import json
import sys
from collections import Counter

from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.types import registry


def main(path):
    problems = []
    entities = {}
    refs = []
    counts = Counter()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            where = f"line {n}"
            try:
                data = json.loads(line)
            except ValueError as e:
                problems.append(f"{where}: not JSON: {e}")
                continue
            schema = model.get(data.get("schema"))
            if schema is None:
                problems.append(f"{where}: unknown schema {data.get('schema')!r}")
                continue
            if schema.abstract:
                problems.append(f"{where}: schema {schema.name} is abstract")
            eid = data.get("id")
            if not isinstance(eid, str) or not registry.entity.validate(eid) or len(eid) > registry.entity.max_length:
                problems.append(f"{where}: {eid!r} is not an FtM entity id")
            if eid in entities:
                problems.append(f"{where}: id {eid} appears twice")
            where = f"{where} ({schema.name} {eid})"
            entities[eid] = schema
            counts[schema.name] += 1
            props = data.get("properties")
            if not isinstance(props, dict):
                problems.append(f"{where}: properties is not an object")
                continue
            for name, values in props.items():
                prop = schema.get(name)
                if prop is None:
                    problems.append(f"{where}: {schema.name} has no property {name!r}")
                    continue
                if prop.stub:
                    problems.append(f"{where}: {name} cannot be written")
                if not isinstance(values, list) or not values:
                    problems.append(f"{where}: {name} is not a non-empty list")
                    continue
                for v in values:
                    if not isinstance(v, str):
                        problems.append(f"{where}: {name}: {v!r} is not a string")
                        continue
                    if not prop.type.validate(v, format=prop.format):
                        problems.append(f"{where}: {name}: {v!r} is not a valid {prop.type.name}")
                    cleaned = prop.type.clean(v, format=prop.format)
                    if cleaned != v:
                        problems.append(f"{where}: {name}: {v!r} is cleaned to {cleaned!r}")
                    limit = prop.max_length or prop.type.max_length
                    if limit and len(v) > limit:
                        problems.append(f"{where}: {name}: {len(v)} characters, more than {limit}")
                if prop.type == registry.entity:
                    for v in values:
                        refs.append((where, name, v, prop.range))
            for req in schema.required:
                if not props.get(req):
                    problems.append(f"{where}: required property {req} is missing")
            try:
                schema.validate(data)
            except InvalidData as e:
                problems.append(f"{where}: schema.validate: {e.errors}")
            proxy = model.get_proxy(data, cleaned=False)
            for name, values in props.items():
                if schema.get(name) is not None and sorted(proxy.get(name, quiet=True)) != sorted(values):
                    problems.append(f"{where}: {name}: the entity proxy holds {proxy.get(name, quiet=True)!r}, not {values!r}")
    for where, name, target, rng in refs:
        ts = entities.get(target)
        if ts is None:
            problems.append(f"{where}: {name} points at {target}, which is not in the file")
        elif rng is not None and not ts.is_a(rng):
            problems.append(f"{where}: {name} points at a {ts.name}, not a {rng.name}")
    if problems:
        for p in problems[:200]:
            print(p)
        print(f"{len(problems)} problems in {sum(counts.values())} entities")
        return 1
    print(json.dumps(dict(sorted(counts.items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
