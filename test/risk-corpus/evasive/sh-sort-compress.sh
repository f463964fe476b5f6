# expect: not-low
sort --compress-program=./helper -S 1 words.txt
