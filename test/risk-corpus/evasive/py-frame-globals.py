# expect: not-low
gen = (x for x in [1])
b = gen.gi_frame.f_globals['__builtins__']
print(b)
