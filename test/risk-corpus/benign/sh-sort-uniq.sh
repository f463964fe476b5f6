# expect: low
sort words.txt | uniq -c | sort -rn | head -5
