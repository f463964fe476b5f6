# expect: low
square() {
  echo $(( $1 * $1 ))
}
total=0
for n in $(seq 1 5); do
  total=$(( total + $(square "$n") ))
done
echo "sum of squares: $total"
