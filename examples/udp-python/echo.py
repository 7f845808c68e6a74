"""python3 echo.py: a UDP echo server on the datagram socket orch hands over (socket mode).

fd 3 is the one bound socket every instance shares (LISTEN_FDS=1, as systemd's ListenDatagram=).
Each reply is "<ORCH_INSTANCE> <pid> <payload>", so a client can tell who answered. Ready by
sd_notify once it reads. On SIGTERM it answers what it has read, then exits: what it has not
read stays queued in the shared socket, for the instances that remain.
"""
import os
import select
import signal
import socket
import sys

if os.environ.get("LISTEN_FDS") != "1" or os.environ.get("LISTEN_PID") != str(os.getpid()):
    sys.exit("echo.py: expected LISTEN_FDS=1 and LISTEN_PID=<own pid> (socket mode)")
sock = socket.socket(fileno=3)
if sock.type != socket.SOCK_DGRAM:
    sys.exit(f"echo.py: fd 3 is {sock.type!r}, not a datagram socket")
prefix = f"{os.environ.get('ORCH_INSTANCE', '?')} {os.getpid()} ".encode()

stopping = False


def stop(*_):
    global stopping
    stopping = True


signal.signal(signal.SIGTERM, stop)
notify = os.environ.get("NOTIFY_SOCKET")
if notify:
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.sendto(b"READY=1", notify)

while not stopping:
    # WARNING: the socket (its open file description, O_NONBLOCK included) is shared with the
    # other instances: every one of them wakes for a datagram and one gets it. So wait with
    # select and read with MSG_DONTWAIT, never sock.setblocking(), which would change it for all.
    readable, _, _ = select.select([sock], [], [], 0.1)
    if not readable:
        continue
    try:
        data, peer = sock.recvfrom(65535, socket.MSG_DONTWAIT)
    except BlockingIOError:
        continue
    sock.sendto(prefix + data, peer)
