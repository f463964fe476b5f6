# expect: low
import csv
import io

buffer = io.StringIO()
writer = csv.writer(buffer)
writer.writerow(["name", "score"])
for name, score in {"ann": 91, "bob": 78}.items():
    writer.writerow([name, score])
print(buffer.getvalue())
