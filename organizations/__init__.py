"""The registry: regions, municipalities, organisations, classes, people and their roles."""
