# expect: low
mkdir -p out
cat > out/config.ini <<'EOF'
[main]
mode = fast
EOF
head -n 1 out/config.ini
