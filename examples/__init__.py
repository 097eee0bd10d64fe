"""Examples: a deterministic raw-data generator, example configs and ``make demo``."""
