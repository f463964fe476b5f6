# expect: not-low
import os
name = input()
getattr(os, name)('id')
