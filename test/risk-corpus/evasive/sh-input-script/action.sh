# expect: not-low
bash ./run.sh
