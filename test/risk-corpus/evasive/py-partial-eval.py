# expect: not-low
import functools
run = functools.partial(eval)
print(run('6 * 7'))
