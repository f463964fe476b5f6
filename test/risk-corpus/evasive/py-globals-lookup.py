# expect: not-low
g = globals()
g['__builtins__'].exec('print(1)')
