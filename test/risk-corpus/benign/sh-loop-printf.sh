# expect: low
for i in 1 2 3; do
  printf '%02d %s\n' "$i" "$(date -u -d "2024-01-0$i" +%a)"
done
