"""A stdlib-only HTTP service for orch's socket mode.

With LISTEN_FDS=1 (the systemd socket-activation convention) the listening socket is already
bound by orch and open on file descriptor 3: every instance accepts from that one socket and the
kernel spreads the connections. Without it (run by hand) the server binds PORT itself.
"""

import json
import os
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SD_LISTEN_FDS_START = 3
APP = os.environ.get("ORCH_APP", "socket-python")
INSTANCE = int(os.environ.get("ORCH_INSTANCE", "0"))
STARTED_AT = time.monotonic()


def log(message):
    print(f"{APP}[{INSTANCE}] {message}", flush=True)


def sd_notify(state):
    """systemd's sd_notify, which orch speaks too (ready.type: notify): one datagram to NOTIFY_SOCKET."""
    path = os.environ.get("NOTIFY_SOCKET")
    if not path:
        return
    if path.startswith("@"):  # the abstract namespace, in systemd's spelling
        path = "\0" + path[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.sendto(state.encode(), path)


class Server(ThreadingHTTPServer):
    def get_request(self):
        conn, addr = self.socket.accept()
        # Connections are served by blocking threads, whatever mode the listening socket is in.
        conn.setblocking(True)
        return conn, addr


class Handler(BaseHTTPRequestHandler):
    server_version = "socket-python/1"

    def do_GET(self):
        if self.path == "/healthz":
            self.send_json(200, {"ok": True})
        elif self.path == "/":
            uptime_ms = int((time.monotonic() - STARTED_AT) * 1000)
            self.send_json(200, {"app": APP, "instance": INSTANCE, "pid": os.getpid(), "uptimeMs": uptime_ms})
        else:
            self.send_json(404, {"error": "not found"})

    def send_json(self, status, body):
        payload = (json.dumps(body) + "\n").encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):
        log(format % args)


def inherited_socket():
    """The socket passed as fd 3, or None when the process was not socket-activated."""
    if os.environ.get("LISTEN_FDS") != "1":
        return None
    # systemd also sets LISTEN_PID; when present it must be us (the variables leaked otherwise).
    listen_pid = os.environ.get("LISTEN_PID")
    if listen_pid is not None and listen_pid != str(os.getpid()):
        return None
    return socket.socket(fileno=SD_LISTEN_FDS_START)


def make_server():
    sock = inherited_socket()
    if sock is None:
        port = int(os.environ.get("PORT", "8000"))
        server = Server(("0.0.0.0", port), Handler)
        log(f"pid {os.getpid()} bound :{port} itself")
        return server
    server = Server(sock.getsockname()[:2], Handler, bind_and_activate=False)
    server.socket.close()
    # WARNING: every instance accepts on this one socket, so a connection that select() reported
    # may already be taken by another instance; a blocking accept() would then hang this process
    # (and its shutdown) until the next connection. Non-blocking, a lost race is a harmless EAGAIN.
    sock.setblocking(False)
    server.socket = sock
    server.server_address = sock.getsockname()
    log(f"pid {os.getpid()} serving the inherited socket (fd 3) on :{server.server_address[1]}")
    return server


def main():
    server = make_server()
    # Join in-flight request threads on close, so a stop drains instead of cutting responses.
    server.daemon_threads = False
    server.block_on_close = True

    def on_sigterm(signum, frame):
        log("SIGTERM: draining")
        sd_notify("STOPPING=1")
        # shutdown() waits for serve_forever() to return, so it cannot run on the thread serving.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGINT, on_sigterm)
    # Accepting from here on: this instance, not just the shared port, is ready.
    sd_notify("READY=1")
    server.serve_forever(poll_interval=0.2)
    # Only this process's copy of the listening socket is closed: orch and the other instances
    # keep theirs, so connections arriving now wait in the shared backlog for them.
    server.server_close()
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
