#!/usr/bin/env bash
# Builds a DERIVED fixture set: the same tensors and values as the source set (so it stays self-consistent without
# PyTorch), but changed in every way the fixture layout leaves open, so that a test which reads a literal of the
# shared set instead of the fixture files fails on it:
#   - the set lives under another parent folder, with another name;
#   - vectors.json: the "set" and "seed" fields changed, the vectors listed in reverse order, and expected outputs
#     that no test names and no other vector's call uses dropped (data-driven tests must skip them cleanly);
#   - config.json, preprocessor_config.json and generation_config.json: keys in reverse order;
#   - vectors.safetensors: tensors stored in reverse order (the header and data rewritten, values unchanged).
# Usage:
#   tests/scripts/derived-fixtures.sh [--run] [DEST]
#     DEST   where to build the set (default: a new temporary folder); printed on the last line
#     --run  then run the whole suite on it: MGA_FIXTURES=DEST scripts/test.sh (its last line: N passed, M failed)
# Needs python3 (for the JSON and safetensors rewriting).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SOURCE="${MGA_FIXTURES:-$REPO_ROOT/../shared/fixtures}"
run=0
dest=""
for arg in "$@"; do
  case "$arg" in
    --run) run=1 ;;
    -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) dest="$arg" ;;
  esac
done
command -v python3 >/dev/null || { echo "derived-fixtures: python3 is needed to rewrite the JSON and safetensors files" >&2; exit 1; }
[[ -d "$SOURCE" ]] || { echo "derived-fixtures: no fixture set at $SOURCE (set MGA_FIXTURES)" >&2; exit 1; }
if [[ -z "$dest" ]]; then
  dest="$(mktemp -d)/elsewhere/derived-set"
fi
mkdir -p "$(dirname "$dest")"
rm -rf "$dest"
cp -r "$SOURCE" "$dest"

python3 - "$dest" "$REPO_ROOT/tests" <<'PY'
import json, os, re, struct, sys

root, tests = sys.argv[1], sys.argv[2]

# every word the tests spell as a string literal ("gen_scores", "delayed_sequences"): a vector whose name is or ends
# with one is looked up by name (alone or with a prefix), so it is required, not optional
literals = set()
for folder, _, files in os.walk(tests):
    if os.sep + "obj" in folder or os.sep + "bin" in folder:
        continue
    for name in files:
        if name.endswith(".cs"):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                literals.update(w for w in re.findall(r'"([A-Za-z0-9_]+)"', f.read()) if len(w) >= 4)

def named_by_tests(vector):
    return any(vector == w or vector.endswith("_" + w) for w in literals)

def reverse_keys(value):
    if isinstance(value, dict):
        return {k: reverse_keys(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [reverse_keys(v) for v in value]
    return value

def rewrite_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    meta = header.pop("__metadata__", None)
    names = sorted(header, key=lambda k: header[k]["data_offsets"][0], reverse=True)
    out, blobs, offset = {}, [], 0
    if meta is not None:
        out["__metadata__"] = meta
    for name in names:
        start, end = header[name]["data_offsets"]
        blobs.append(body[start:end])
        out[name] = {"dtype": header[name]["dtype"], "shape": header[name]["shape"], "data_offsets": [offset, offset + end - start]}
        offset += end - start
    text = json.dumps(out).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))

dropped = []
for folder, _, files in os.walk(root):
    for name in files:
        path = os.path.join(folder, name)
        if name == "vectors.json":
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
            doc["set"] = "derived"
            doc["seed"] = (doc.get("seed") or 0) + 1
            vectors = doc.get("vectors", [])
            calls = " ".join(v.get("call", "") for v in vectors)
            used = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", calls))
            # a data-driven test may guard that every kind of output is present: drop only outputs whose kind (the call
            # with vector names and numbers blanked) another recorded output shares
            names = {v["name"] for v in vectors}
            def kind(v):
                call = re.sub(r"[A-Za-z_][A-Za-z0-9_]*", lambda m: "V" if m.group(0) in names else m.group(0), v.get("call", ""))
                return re.sub(r"[0-9.]+", "0", call)
            kinds = {}
            for v in vectors:
                kinds[kind(v)] = kinds.get(kind(v), 0) + 1
            optional = [v for v in vectors
                        if v.get("call") != "input" and not named_by_tests(v["name"]) and v["name"] not in used and kinds[kind(v)] > 1]
            for v in optional[-2:]:
                if kinds[kind(v)] < 2:
                    continue
                kinds[kind(v)] -= 1
                vectors.remove(v)
                dropped.append(os.path.relpath(folder, root) + "/" + v["name"])
            doc["vectors"] = list(reversed(vectors))
            with open(path, "w", encoding="utf-8") as f:
                json.dump(doc, f, indent=1)
        elif name in ("config.json", "preprocessor_config.json", "generation_config.json"):
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
            with open(path, "w", encoding="utf-8") as f:
                json.dump(reverse_keys(doc), f, indent=2)
        elif name == "vectors.safetensors":
            rewrite_safetensors(path)

print("derived-fixtures: dropped optional vectors: " + (", ".join(dropped) if dropped else "none"), file=sys.stderr)
PY

echo "derived-fixtures: built from $SOURCE" >&2
if [[ $run -eq 1 ]]; then
  MGA_FIXTURES="$dest" "$REPO_ROOT/scripts/test.sh"
fi
echo "$dest"
