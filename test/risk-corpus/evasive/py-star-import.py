# expect: not-low
from os import *
system('id')
