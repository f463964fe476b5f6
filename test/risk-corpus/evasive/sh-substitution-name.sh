# expect: not-low
$(echo rm) -rf build
