# expect: not-low
source <(echo 'id')
