"""gunicorn settings for the tracker in production (README, "Production"):

    .venv/bin/gunicorn -c gunicorn.conf.py 'tracker:create_app()'

Options given on the command line win over these. Environment: ``TRACKER_BIND``
(default 127.0.0.1:8000), ``TRACKER_WORKERS`` (default 4), ``FORWARDED_ALLOW_IPS``.
"""

from __future__ import annotations

import os

from gunicorn.http import wsgi

# Listen on the loopback only: the reverse proxy that terminates HTTPS is the one way in.
bind = os.environ.get("TRACKER_BIND", "127.0.0.1:8000")

# Synchronous workers: each handles one request at a time, so 4 workers serve 4 requests at once
# (the load test in docs/benchmarks.md: 50 users on 2 cores). Every worker holds its own
# database connection pool; PostgreSQL's max_connections must allow workers × pool size.
workers = int(os.environ.get("TRACKER_WORKERS", "4"))
timeout = 60  # a worker silent this long (seconds) is killed and replaced
graceful_timeout = 30
max_requests = 2000  # recycle workers now and then; jitter keeps them from restarting together
max_requests_jitter = 200

# The proxy's X-Forwarded-Proto: https is believed only from these addresses, and then the
# request counts as HTTPS (session cookie Secure, Strict-Transport-Security sent). Keep it to
# the proxy's own address; gunicorn's default is 127.0.0.1,::1 (a proxy on the same machine).
# Note that gunicorn does not take the client's address from X-Forwarded-For: REMOTE_ADDR is
# the proxy's. Set FORWARDED_ALLOW_IPS, not this line, for a proxy elsewhere.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs to stdout/stderr, for the service manager (systemd's journal) to keep. The access log
# names the path without the query string (%(U)s, never %(r)s or %(q)s: search terms and other
# values can sit there), no referrer (it carries the previous page's query string), and the
# request id that the tracker also prints on its own log lines for that request.
accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms request=%({x-request-id}o)s'


# A consultation link's token (/consult/<token>) is a secret: the access line names the path with
# the token replaced (tracker.web.public.RedactTokens), in every worker.
def post_worker_init(worker):
    from tracker.web.public import install_redaction

    install_redaction("gunicorn.access")


# No "Server: gunicorn" banner. gunicorn writes the header itself, after the application's
# headers, with no setting to turn it off (benoitc/gunicorn#825): leave it out of the lines it
# writes. tests/test_security_headers.py starts gunicorn with this file and checks the answer.
_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self):
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _default_headers_without_server
