# expect: not-low
from os import system as run
run('id')
