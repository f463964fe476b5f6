# expect: low
grep -c ERROR app.log || true
grep -o 'user=[a-z]*' app.log | cut -d= -f2 | sort | uniq
