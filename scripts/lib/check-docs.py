#!/usr/bin/env python3
"""F1-help coverage: every class, method, property, signal and constant that Godot reports for the
extension (godot --doctool DIR --gdextension-docs) must have a description in the docs the extension
registers for the editor from its `///` comments (dumped by the gdext crate's docs test).

Usage: check-docs.py <doctool_dir> <registered_docs_dir>"""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

CLASSES = {"Steam", "SteamServer", "SteamMultiplayerAuth", "SteamLogin", "SteamLoginResult", "SteamSession"}
KINDS = {"method": "methods/method", "signal": "signals/signal", "property": "members/member",
         "constant": "constants/constant"}


def text(node):
    return "".join(node.itertext()).strip() if node is not None else ""


def described(root, kind, name):
    for node in root.findall(KINDS[kind]):
        if node.get("name") == name:
            desc = node if kind in ("property", "constant") else node.find("description")
            return bool(text(desc))
    return False


def main(doctool_dir, registered_dir):
    reported = {p.stem: p for p in Path(doctool_dir).rglob("*.xml")}
    registered = {p.stem: p for p in Path(registered_dir).glob("*.xml")}
    problems, checked = [], 0
    for cls in sorted(CLASSES):
        if cls not in reported:
            problems.append(f"{cls}: Godot does not know this class")
            continue
        if cls not in registered:
            problems.append(f"{cls}: no registered docs")
            continue
        godot_view = ET.parse(reported[cls]).getroot()
        ours = ET.parse(registered[cls]).getroot()
        if not text(ours.find("brief_description")):
            problems.append(f"{cls}: no class description")
        for kind, path in KINDS.items():
            for node in godot_view.findall(path):
                checked += 1
                if not described(ours, kind, node.get("name")):
                    problems.append(f"{cls}.{node.get('name')} ({kind}): no description")
    for p in problems:
        print(f"[docs] {p}", file=sys.stderr)
    print(f"[docs] {len(CLASSES)} classes, {checked} members checked, {len(problems)} undocumented")
    return 1 if problems or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
