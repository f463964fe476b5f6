# expect: not-low
trap "$HANDLER" EXIT
echo done
