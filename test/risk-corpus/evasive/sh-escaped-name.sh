# expect: not-low
\r\m -rf build
