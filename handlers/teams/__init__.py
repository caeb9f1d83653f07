"""The Teams adapter: activity handlers, Adaptive Card renderers and the notifier."""
