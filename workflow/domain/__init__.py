"""The domain: stdlib-only model, state tables, commands, events and views of clientloop."""
