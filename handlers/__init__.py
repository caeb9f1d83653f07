"""Chat-platform adapters: one package per platform, translating both directions."""
