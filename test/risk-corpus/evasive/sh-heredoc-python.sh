# expect: not-low
python3 <<'EOF'
import subprocess
subprocess.run(['id'])
EOF
