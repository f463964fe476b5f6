# expect: not-low
env -i PATH=/bin sh -c 'id'
