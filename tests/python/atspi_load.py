"""Loads libatspi through GObject introspection for the AT-SPI helpers
(atspi_tree.py, atspi_announcements.py), or says which packages are missing."""
import sys


def load():
    """(Atspi, GLib), or None after printing what to install."""
    try:
        import gi

        gi.require_version("Atspi", "2.0")
        from gi.repository import Atspi, GLib
    except (ImportError, ValueError) as error:
        print(f"cannot load libatspi through GObject introspection ({error}); "
              "install python3-gi and gir1.2-atspi-2.0", file=sys.stderr)
        return None
    return Atspi, GLib
