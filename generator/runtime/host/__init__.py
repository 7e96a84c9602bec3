"""Per spec, what every backend computes on the host: domains, initial state, step scalars."""
