"""A synthetic municipality with known cases, for demos, tests and benchmarks.

``generate(out_dir, scale, seed)`` writes one CSV per canonical data set and a
``truth.json`` listing every injected case and decoy; see core.py.
"""

from tillit.analytics.generate._base import FILE_FORMATS, FileFormat
from tillit.analytics.generate.core import GenerateError, GenerateResult, generate

__all__ = ["FILE_FORMATS", "FileFormat", "GenerateError", "GenerateResult", "generate"]
