# expect: not-low
c=r
c+=m
$c -rf /
