"""Delivery: the outbox sender, its queue, the platforms' rate limits and bounce notices."""
