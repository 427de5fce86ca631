"""The spec stage: YAML text → validated, immutable `Spec`."""

from renderer.spec.model import (
    Canvas,
    MatrixRow,
    MatrixSpec,
    NodeSpec,
    ScoreSettings,
    Spec,
)

__all__ = ["Canvas", "MatrixRow", "MatrixSpec", "NodeSpec", "ScoreSettings", "Spec"]
