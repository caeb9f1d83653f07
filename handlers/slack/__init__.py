"""The Slack adapter: Bolt listeners, payload parsing, Block Kit renderers and the notifier."""
