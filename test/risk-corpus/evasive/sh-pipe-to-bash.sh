# expect: not-low
echo aWQK | base64 -d | bash
