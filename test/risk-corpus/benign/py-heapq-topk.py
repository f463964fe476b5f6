# expect: low
import heapq
import json
import sys

data = json.load(sys.stdin)
top = heapq.nlargest(5, data, key=lambda r: r["score"])
sys.stdout.write(json.dumps(top) + "\n")
