# expect: not-low
f = __builtins__.__dict__['ev' + 'al']
print(f('6 * 7'))
