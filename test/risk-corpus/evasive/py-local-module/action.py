# expect: not-low
import helper
print(helper.total([1, 2, 3]))
