import re
import unicodedata

_SEPARATORS = re.compile(r"[^a-z0-9]+")


def slugify(text, max_length=60):
    """A URL slug: "Crème Brûlée ❄ for Beginners!" -> "creme-brulee-for-beginners".

    Accents are dropped (NFKD, then ASCII), everything that is not a letter
    or a digit separates words, and the slug is cut at a word boundary."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = [word for word in _SEPARATORS.split(ascii_text.lower()) if word]
    slug = ""
    for word in words:
        candidate = word if not slug else slug + "-" + word
        if len(candidate) > max_length:
            break
        slug = candidate
    return slug or (words[0][:max_length] if words else "untitled")
