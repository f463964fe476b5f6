# expect: not-low
import os.path
os.path.os.system('id')
