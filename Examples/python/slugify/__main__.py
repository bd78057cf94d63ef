"""Turns a post's title and body into what a blog needs to publish it: a URL
slug, a word count and a reading time. The text work is done by `textkit`,
a package shipped in the same zip."""

from textkit import reading_time, slugify, word_count


def main(args):
    title = args.get("title")
    if not isinstance(title, str) or not title.strip():
        return {"error": "give the post a non-empty 'title'"}
    body = args.get("body", "")
    words = word_count(body)
    print("slugify: %r, %d words" % (title, words))
    return {
        "slug": slugify(title, max_length=args.get("max_length", 60)),
        "words": words,
        "reading_time": reading_time(words, words_per_minute=args.get("words_per_minute", 230)),
    }
