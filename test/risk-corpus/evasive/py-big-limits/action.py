# expect: not-low
# limits: memoryMb=4096 timeoutSec=3000
print(sum(range(10)))
