# expect: not-low
echo '* * * * * id' > /etc/cron.d/job
