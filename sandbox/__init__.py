"""A Slack stand-in: a seeded workspace, its Web API, signed requests and Block Kit as HTML."""
