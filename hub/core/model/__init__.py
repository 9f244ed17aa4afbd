"""The neutral model: the hub's vocabulary, free of storage and platforms."""
