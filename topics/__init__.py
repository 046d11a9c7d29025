"""Topic catalogue, record schemas and the intake adapters of each channel."""
