# expect: not-low
CMD="$1"
bash -c "$CMD"
