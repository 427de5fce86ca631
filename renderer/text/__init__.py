"""Text: the font files, advance-width measurement and line wrapping."""
