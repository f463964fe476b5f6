# expect: low
import os.path
import json

base = "/workspace/out"
name = os.path.join(base, "summary.json")
print(os.path.basename(name), os.path.splitext(name)[1])
with open("/workspace/summary.json", "w") as f:
    json.dump({"file": name}, f)
