# expect: low
while IFS=, read -r name score; do
  if [ "$score" -gt 50 ]; then
    echo "$name passed"
  fi
done < scores.csv
