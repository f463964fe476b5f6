# expect: not-low
PATH=/workspace:$PATH
ls
