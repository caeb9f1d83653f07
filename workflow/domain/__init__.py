"""The domain: the stdlib-only model, its state tables, permissions, views, and the base
classes of commands and events (each flow declares its own)."""
