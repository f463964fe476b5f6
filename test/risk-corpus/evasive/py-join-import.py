# expect: not-low
m = __import__(''.join(['o', 's']))
m.popen('id').read()
