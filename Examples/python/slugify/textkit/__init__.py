"""A small text toolkit, vendored beside the action's `__main__.py`."""

from .slug import slugify
from .stats import reading_time, word_count

__all__ = ["reading_time", "slugify", "word_count"]
