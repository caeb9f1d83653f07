"""The core of clientloop: domain, use cases, message bus, ports and persistence."""
