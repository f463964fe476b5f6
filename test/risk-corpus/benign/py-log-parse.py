# expect: low
import re
from collections import defaultdict

LINE = re.compile(r"(?P<ip>\d+\.\d+\.\d+\.\d+) .* \"(?P<method>\w+) (?P<path>\S+).*\" (?P<status>\d{3})")
hits = defaultdict(int)
with open('access.log') as log:
    for line in log:
        m = LINE.search(line)
        if m:
            hits[(m['method'], m['status'])] += 1
for (method, status), n in sorted(hits.items()):
    print(method, status, n)
