# expect: not-low
echo id | sed 's/.*/&/e'
