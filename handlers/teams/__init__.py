"""The Teams adapter: activity handlers, Adaptive Card renderers and the notifier."""

import warnings

# Importing the SDK announces a preview feature of its own (HTML widgets) that clientloop
# does not use; on stderr it would break "one line naming the problem" at start.
warnings.filterwarnings(
    "ignore", message="HtmlWidgetSecurityPolicy is in preview", category=Warning
)
