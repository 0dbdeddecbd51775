#!/usr/bin/env python3
"""Fails when a crate's modules import each other in a loop, and prints the module graph.

Reads every .rs file under a crate's src/, maps it to its module path (`src/login/error.rs` is
`login::error`, `mod.rs` is its folder's module), and takes an edge a -> b for every `crate::b...`
or `super::...` path in a's code (comments stripped; `#[cfg(test)]` modules included, since a test
module is part of its file). A path names the longest module it reaches. Child modules inherit
nothing: `login` -> `login::error` is only an edge if login/mod.rs names it.

Then the same at the top level: every module counts as the top-level module it sits in
(`steam::args` as `steam`), so that two folders cannot lean on each other through their files.

Usage: scripts/lib/check-module-loops.py <crate dir>...   (exit 1 if any crate has a loop)
"""
import re
import sys
from pathlib import Path


def module_of(src: Path, path: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return "::".join(parts) or "crate"


def strip_comments(code: str) -> str:
    code = re.sub(r"/\*.*?\*/", "", code, flags=re.S)
    return re.sub(r"//[^\n]*", "", code)


def references(code: str, here: str, modules: set) -> set:
    found = set()
    for match in re.finditer(r"\b(crate|super)((?:::\w+)+)", code):
        root, rest = match.group(1), match.group(2).split("::")[1:]
        if root == "crate":
            base = []
        else:
            base = here.split("::")[:-1] if here != "crate" else []
        path = base + rest
        while path and "::".join(path) not in modules:
            path.pop()
        # `use crate::{a, b}` and `use super::{x, y}`: each name in the braces.
        target = "::".join(path) if path else None
        if target and target != here:
            found.add(target)
    for match in re.finditer(r"\b(crate|super)::\{([^}]*)\}", code):
        root = match.group(1)
        base = [] if root == "crate" or here == "crate" else here.split("::")[:-1]
        for name in re.findall(r"(\w+(?:::\w+)*)", match.group(2)):
            path = base + name.split("::")
            while path and "::".join(path) not in modules:
                path.pop()
            target = "::".join(path) if path else None
            if target and target != here:
                found.add(target)
    return found


def cycles(graph: dict) -> list:
    index, low, stack, on_stack, result = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return result


def main():
    failed = False
    for crate in sys.argv[1:] or sys.exit(__doc__):
        src = Path(crate) / "src"
        files = {module_of(src, p): p for p in sorted(src.rglob("*.rs"))}
        modules = set(files)
        graph = {m: references(strip_comments(p.read_text()), m, modules) - {"crate"} for m, p in files.items()}
        graph.pop("crate", None)
        loops = cycles(graph)
        name = Path(crate).name
        print(f"[modules] {name}: {len(graph)} modules")
        for module in sorted(graph):
            print(f"[modules]   {module} -> {', '.join(sorted(graph[module])) or '-'}")
        top = lambda module: module.split("::")[0]
        top_graph = {}
        for module, targets in graph.items():
            top_graph.setdefault(top(module), set()).update(top(t) for t in targets if top(t) != top(module))
        for loop in loops:
            failed = True
            print(f"[modules] FAILED: {name}: import loop among {', '.join(loop)}", file=sys.stderr)
        for loop in cycles(top_graph):
            failed = True
            print(f"[modules] FAILED: {name}: import loop among the top-level modules {', '.join(loop)}", file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
