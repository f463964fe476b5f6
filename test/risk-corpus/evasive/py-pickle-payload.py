# expect: not-low
import base64
import pickle
pickle.loads(base64.b64decode('gASVEgAAAAAAAACMAm9zlIwGc3lzdGVtlJOULg=='))
