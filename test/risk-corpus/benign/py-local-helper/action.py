# expect: low
import helper
print(helper.mean([1, 2, 3]))
