# expect: not-low
import dataclasses
dataclasses.sys.modules['os'].system('id')
