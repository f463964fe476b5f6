# expect: low
import json

with open('/workspace/users.json') as f:
    users = json.load(f)
active = [{'id': u['id'], 'name': u['name'].title()} for u in users if u.get('active')]
with open('/workspace/active.json', 'w') as out:
    json.dump(active, out, indent=2)
print(len(active), 'active users')
