"""Owner configuration: typed models, the YAML loader with precise errors, cross-checks."""
