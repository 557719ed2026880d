"""Prints what a screen reader is told to announce by one running process:
its AT-SPI `object:announcement` events (AccessKit sends one when a live
region appears or its name changes), as tests/gui_atspi.rs reads them.

Usage: python3 atspi_announcements.py PID

Output: the line "listening" once the listener is registered, then one JSON
object a line per announcement of process PID:
{"text", "politeness" ("polite" or "assertive"), "role", "name"} (role
and name of the node that announced). Runs until killed. Exit 2 when
libatspi or the accessibility bus cannot be used.

Needs the system's python3 with GObject introspection and libatspi
(Debian: python3-gi, gir1.2-atspi-2.0), not the gateway tests' venv.
"""

import json
import sys

import atspi_load

# AT-SPI's politeness levels (detail1 of an announcement; libatspi 2.46
# has no enum for them).
POLITENESS = {0: "none", 1: "polite", 2: "assertive"}


def main():
    if len(sys.argv) != 2:
        print("usage: atspi_announcements.py PID", file=sys.stderr)
        return 2
    wanted = int(sys.argv[1])
    loaded = atspi_load.load()
    if loaded is None:
        return 2
    Atspi, _ = loaded

    def announced(event):
        source = event.source
        try:
            if source is None or source.get_process_id() != wanted:
                return
            role, name = source.get_role_name(), source.get_name() or ""
        except Exception:  # GLib.Error: the node is gone already
            role, name = "", ""
        print(json.dumps({
            "text": event.any_data if isinstance(event.any_data, str) else "",
            "politeness": POLITENESS.get(event.detail1, str(event.detail1)),
            "role": role,
            "name": name,
        }), flush=True)

    listener = Atspi.EventListener.new(announced)
    try:
        listener.register("object:announcement")
    except Exception as error:  # GLib.Error from D-Bus: no registry, no bus
        print(f"cannot listen on the accessibility bus ({error}); is it running "
              "and org.a11y.Status IsEnabled true?", file=sys.stderr)
        return 2
    print("listening", flush=True)
    Atspi.event_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
