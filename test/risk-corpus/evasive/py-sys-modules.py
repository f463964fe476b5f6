# expect: not-low
import sys
sys.modules['os'].system('id')
