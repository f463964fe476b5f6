# expect: not-low
eval "$(echo aWQ= | base64 -d)"
