"""Writes HEAT-LOAD.sha256.json: for every data file here, the SHA-256 of the value Heat's loader
gives it (json.loads when the text starts with '{', else PyYAML's CSafeLoader with timestamps kept
as strings, as heat/common/template_format.py does), serialized as canonical JSON (sorted keys, no
spaces, non-ASCII kept, integral floats as integers). corpus.test.ts compares stoke's reading of
each file with these, so CI checks parity with Heat without Python.

Usage: python3 heat-load-hashes.py > HEAT-LOAD.sha256.json   (run in this folder)
"""
import hashlib
import json
import os

import yaml


class HeatLoader(yaml.CSafeLoader):
    pass


def as_text(loader, node):
    return loader.construct_scalar(node)


HeatLoader.add_constructor('tag:yaml.org,2002:timestamp', as_text)
HeatLoader.add_constructor('tag:yaml.org,2002:str', as_text)


def plain(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key).lower() if isinstance(key, bool) else str(key): plain(item) for key, item in value.items()}
    return value


def canonical(value):
    if isinstance(value, dict):
        return '{' + ','.join(json.dumps(k, ensure_ascii=False) + ':' + canonical(value[k]) for k in sorted(value)) + '}'
    if isinstance(value, list):
        return '[' + ','.join(canonical(item) for item in value) + ']'
    return json.dumps(value, ensure_ascii=False)


hashes = {}
for folder, _, files in os.walk('.'):
    for name in files:
        if not name.endswith(('.yaml', '.yml', '.template')):
            continue
        path = os.path.join(folder, name)
        with open(path, encoding='utf-8') as f:
            text = f.read()
        if text.startswith('\ufeff'):
            text = text[1:]
        value = json.loads(text) if text.startswith('{') else yaml.load(text, Loader=HeatLoader)
        hashes[os.path.relpath(path, '.')] = hashlib.sha256(canonical(plain(value)).encode('utf-8')).hexdigest()
print(json.dumps(hashes, sort_keys=True, indent=1))
