"""tierdraw: metric hierarchies and benchmark scorecards from YAML to SVG, PNG and PDF."""

__version__ = "0.1.0"
