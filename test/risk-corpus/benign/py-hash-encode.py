# expect: low
import base64
import hashlib

payload = "hello, world".encode()
print(hashlib.sha256(payload).hexdigest())
print(base64.b64encode(payload).decode())
print(base64.b64decode(base64.b64encode(payload)).decode())
