# expect: low
from collections import Counter
import re

text = "the quick brown fox jumps over the lazy dog the end"
words = re.findall(r"[a-z]+", text.lower())
for word, count in Counter(words).most_common(3):
    print(f"{word:10} {count}")
