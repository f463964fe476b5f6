# expect: low
import math
from fractions import Fraction
from functools import reduce

values = [Fraction(1, 3), Fraction(1, 6), Fraction(1, 2)]
print(reduce(lambda a, b: a + b, values))
print(math.gcd(84, 36), math.comb(10, 3), round(math.sqrt(2), 4))
