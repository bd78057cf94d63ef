import math
import re

_WORD = re.compile(r"\w+(?:['’]\w+)*")


def word_count(text):
    return len(_WORD.findall(text))


def reading_time(words, words_per_minute=230):
    """Whole minutes, at least one: "3 min read"."""
    minutes = max(1, math.ceil(words / words_per_minute))
    return "%d min read" % minutes
