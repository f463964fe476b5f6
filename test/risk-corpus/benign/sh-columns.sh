# expect: low
cut -d, -f1,3 data.csv | tr ',' '\t' | column -t
paste -d' ' left.txt right.txt | tee combined.txt | wc -w
