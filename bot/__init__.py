"""The composition root: settings, the ASGI app and the command line."""
