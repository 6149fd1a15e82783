"""Pure domain: entities, rules, scoring and ports. Imports nothing outside the standard library and itself."""
