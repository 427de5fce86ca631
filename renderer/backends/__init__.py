"""Output formats other than SVG: PNG and PDF through cairo."""
