"""Presentation, platform-neutral: forms, command words, button presses and the answers the
dispatcher gives back. It imports only the domain; adapters render what it describes."""
