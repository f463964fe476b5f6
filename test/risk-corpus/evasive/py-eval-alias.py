# expect: not-low
e = eval
print(e('6 * 7'))
