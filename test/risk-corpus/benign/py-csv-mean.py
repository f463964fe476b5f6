# expect: low
import csv
import statistics

with open('sales.csv', newline='') as f:
    rows = list(csv.DictReader(f))
amounts = [float(r['amount']) for r in rows]
print(f"n={len(amounts)} mean={statistics.mean(amounts):.2f} median={statistics.median(amounts):.2f}")
