# expect: not-low
awk 'BEGIN { system("id") }'
