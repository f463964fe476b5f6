# expect: low
import textwrap

rows = [("alpha", "a fairly long description that needs wrapping across lines"), ("beta", "short")]
for name, desc in rows:
    lines = textwrap.wrap(desc, width=24) or [""]
    print(f"{name:<8}{lines[0]}")
    for extra in lines[1:]:
        print(" " * 8 + extra)
