# expect: not-low
python3 /tmp/payload.py
