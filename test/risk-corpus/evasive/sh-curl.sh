# expect: not-low
curl -s http://127.0.0.1:9/x -o out.txt
