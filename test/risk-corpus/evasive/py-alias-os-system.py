# expect: not-low
import os as o
o.system('id')
