"""Prints the AT-SPI accessibility tree of one running process as JSON,
as a screen reader sees it (tests/gui_atspi.rs reads it).

Usage: python3 atspi_tree.py PID [--press ROLE NAME]

Output: one JSON object {"application": NAME, "nodes": [...]}, each node
{"depth", "role", "name", "description", "states"} in document order.
With --press, it then does the default action of the first node with
AT-SPI role ROLE named NAME (as a screen reader's "activate" does); the
tree printed is the one read before.
Exit 3 when process PID is not on the AT-SPI desktop yet, or its tree
changed while it was read, 4 when it has no such node (yet, or any more):
the caller may ask again. Exit 2 when the accessibility bus cannot be read.

Needs the system's python3 with GObject introspection and libatspi
(Debian: python3-gi, gir1.2-atspi-2.0), not the gateway tests' venv.
"""

import json
import sys

import atspi_load

# Deeper than any egui window; a guard against a cycle in a broken tree.
MAX_DEPTH = 64


def main():
    if len(sys.argv) not in (2, 5) or (len(sys.argv) == 5 and sys.argv[2] != "--press"):
        print("usage: atspi_tree.py PID [--press ROLE NAME]", file=sys.stderr)
        return 2
    wanted = int(sys.argv[1])
    press = (sys.argv[3], sys.argv[4]) if len(sys.argv) == 5 else None
    loaded = atspi_load.load()
    if loaded is None:
        return 2
    Atspi, GLib = loaded
    try:
        desktop = Atspi.get_desktop(0)
        applications = [desktop.get_child_at_index(i) for i in range(desktop.get_child_count())]
        applications = [application for application in applications if application]
        found = [(a.get_process_id(), a.get_name()) for a in applications]
    except Exception as error:  # GLib.Error from D-Bus: no registry, no bus
        print(f"cannot read the AT-SPI desktop ({error}); is the accessibility bus "
              "running and org.a11y.Status IsEnabled true?", file=sys.stderr)
        return 2
    matching = [a for a, (pid, _) in zip(applications, found) if pid == wanted]
    if not matching:
        print(f"process {wanted} is not on the AT-SPI desktop "
              f"(found: {found})", file=sys.stderr)
        return 3
    nodes = []
    accessibles = []
    try:
        collect(matching[0], 0, nodes, accessibles, Atspi)
    except GLib.Error as error:  # a node went away while it was read
        print(f"the tree of process {wanted} changed while it was read ({error})",
              file=sys.stderr)
        return 3
    if press is not None:
        role, name = press
        targets = [accessible for node, accessible in zip(nodes, accessibles)
                   if node["role"] == role and node["name"] == name]
        if not targets:
            print(f"process {wanted} has no {role} named {name!r}", file=sys.stderr)
            return 4
        try:
            targets[0].do_action(0)
        except GLib.Error as error:
            print(f"the {role} named {name!r} went away ({error})", file=sys.stderr)
            return 4
    json.dump({"application": matching[0].get_name(), "nodes": nodes}, sys.stdout)
    print()
    return 0


def collect(accessible, depth, nodes, accessibles, Atspi):
    """Appends `accessible` and its descendants to `nodes` (as JSON) and
    to `accessibles` (the same, as libatspi objects)."""
    accessibles.append(accessible)
    states = accessible.get_state_set()
    nodes.append({
        "depth": depth,
        "role": accessible.get_role_name(),
        "name": accessible.get_name() or "",
        "description": accessible.get_description() or "",
        "states": sorted(
            Atspi.StateType(state).value_nick
            for state in range(Atspi.StateType.LAST_DEFINED)
            if states.contains(state)
        ),
    })
    if depth >= MAX_DEPTH:
        return
    for index in range(accessible.get_child_count()):
        child = accessible.get_child_at_index(index)
        if child is not None:
            collect(child, depth + 1, nodes, accessibles, Atspi)


if __name__ == "__main__":
    sys.exit(main())
