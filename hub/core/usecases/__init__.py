"""The use cases: what the hub does with events, occurrences and deliveries."""
