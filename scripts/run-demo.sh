#!/usr/bin/env bash
# `make run`: the demo on http://127.0.0.1:8000 with a Celery worker and beat.
#
# What a newcomer should see last, once the portal answers, is where it is and
# the demo logins; the demo's text messages go to var/sms.log instead of the
# console (SMS_BACKEND below), and Ctrl-C stops everything and ends with 0.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.venv/bin}
PORT=8000
export PATH="$PWD/$BIN:$PATH"
export DEBUG=${DEBUG:-1} HTTPS=${HTTPS:-0}
export SMS_BACKEND=${SMS_BACKEND:-core.sms.FileBackend}
export SMS_LOG_FILE=${SMS_LOG_FILE:-var/sms.log}

mkdir -p var/celery-broker var/cache media
python manage.py migrate --noinput
python manage.py seed_demo

announce() {
    # The web server listens (a bare TCP connect, so no request shows in the log);
    # a moment more for the worker's and beat's start-up lines to come first.
    python - "$PORT" <<'PY'
import socket, sys, time
for _ in range(600):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        break
    except OSError:
        time.sleep(0.2)
time.sleep(2)
PY
    printf '\n==== 老旧小区管理平台已就绪: http://127.0.0.1:%s ====\n' "$PORT"
    cat var/demo-logins.txt
    printf '演示短信写入 %s；按 Ctrl-C 停止。\n\n' "$SMS_LOG_FILE"
}
announce &
announcer=$!

# With a terminal, run honcho as a job of its own (job control): Ctrl-C then
# reaches honcho and its processes only, not make, and honcho stops them in order.
if [ -t 0 ]; then set -m; fi
status=0
honcho -f Procfile.dev start || status=$?
kill "$announcer" 2>/dev/null || true
# 130: stopped by Ctrl-C (SIGINT), which is how the demo is meant to end.
if [ "$status" -eq 130 ] || [ "$status" -eq 0 ]; then
    echo "老旧小区管理平台已停止。"
    exit 0
fi
exit "$status"
