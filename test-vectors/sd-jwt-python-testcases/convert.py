#!/usr/bin/env python3
"""Converts the sd-jwt-python spec cases (YAML with !sd tags) into cases.json for
tests/python_cases.rs: the claims, the selectively disclosable paths (JSON Pointers),
the holder's selection as paths, and the expected verified claims.

Run with the interop venv (PyYAML): interop/.venv/bin/python test-vectors/sd-jwt-python-testcases/convert.py
"""
import json, os, sys
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))


class SD:
    def __init__(self, v):
        self.v = v

    def __hash__(self):
        return hash(("sd", json.dumps(self.v, sort_keys=True)))

    def __eq__(self, o):
        return isinstance(o, SD) and o.v == self.v


def sd_constructor(loader, node):
    if isinstance(node, yaml.ScalarNode):
        # resolve the plain scalar's own type (null, int, float, bool, str)
        if node.style is not None:  # quoted: a string
            return SD(loader.construct_scalar(node))
        plain = yaml.ScalarNode(loader.resolve(yaml.ScalarNode, node.value, (True, False)), node.value)
        return SD(loader.construct_object(plain))
    if isinstance(node, yaml.SequenceNode):
        return SD(loader.construct_sequence(node, deep=True))
    return SD(loader.construct_mapping(node, deep=True))


class Loader(yaml.SafeLoader):
    pass


Loader.add_constructor("!sd", sd_constructor)


def esc(s):
    return str(s).replace("~", "~0").replace("/", "~1")


def strip(v, path, out):
    """Removes SD markers, collecting the paths they marked."""
    if isinstance(v, SD):
        out.append(path)
        return strip(v.v, path, out)
    if isinstance(v, dict):
        res = {}
        for k, c in v.items():
            name = k.v if isinstance(k, SD) else k
            p = f"{path}/{esc(name)}"
            if isinstance(k, SD):
                out.append(p)
            res[str(name)] = strip(c, p, out)
        return res
    if isinstance(v, list):
        return [strip(c, f"{path}/{i}", out) for i, c in enumerate(v)]
    return v


def selection(h, path, out):
    """The holder's selection tree as paths: True selects the claim (and all below)."""
    if h is True:
        out.append(path)
    elif isinstance(h, dict):
        for k, c in h.items():
            selection(c, f"{path}/{esc(k)}", out)
    elif isinstance(h, list):
        for i, c in enumerate(h):
            selection(c, f"{path}/{i}", out)


cases = {}
for name in sorted(os.listdir(HERE)):
    spec = os.path.join(HERE, name, "specification.yml")
    if not os.path.exists(spec):
        continue
    with open(spec) as f:
        s = yaml.load(f, Loader=Loader)
    sd_paths = []
    claims = strip(s["user_claims"], "", sd_paths)
    shown = []
    selection(s.get("holder_disclosed_claims") or {}, "", shown)
    cases[name] = {
        "user_claims": claims,
        "sd_paths": sd_paths,
        "disclose": shown,
        "expect": s["expect_verified_user_claims"],
        "key_binding": bool(s.get("key_binding", False)),
        "serialization_format": s.get("serialization_format", "compact"),
    }
json.dump(cases, sys.stdout, indent=1, ensure_ascii=False, sort_keys=True)
print()
