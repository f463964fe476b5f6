# expect: low
sed -e 's/[[:space:]]*$//' -e '/^$/d' notes.txt > notes.clean.txt
wc -l notes.clean.txt
