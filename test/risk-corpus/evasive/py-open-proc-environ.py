# expect: not-low
print(open('/proc/self/environ').read())
