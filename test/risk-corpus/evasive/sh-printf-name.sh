# expect: not-low
$(printf '\x72\x6d') -rf build
