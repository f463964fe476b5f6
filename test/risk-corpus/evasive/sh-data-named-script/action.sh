# expect: not-low
python3 notes.txt
