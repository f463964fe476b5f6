# expect: low
from itertools import groupby
from operator import itemgetter

records = [("a", 1), ("a", 4), ("b", 2), ("c", 7), ("c", 1)]
for key, group in groupby(sorted(records), key=itemgetter(0)):
    print(key, sum(v for _, v in group))
