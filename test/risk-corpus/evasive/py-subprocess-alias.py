# expect: not-low
import subprocess as sp
print(sp.check_output(['id']))
