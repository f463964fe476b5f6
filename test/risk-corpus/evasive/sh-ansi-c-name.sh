# expect: not-low
$'\x65val' id
