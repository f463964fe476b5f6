# expect: not-low
echo id | xargs sh -c
