# expect: not-low
find . -name '*.tmp' -exec sh -c 'id' \;
