#!/usr/bin/env python3
"""A one-way packet delay for kernels without tc netem (sch_netem), as scripts/netns-hosts.sh uses it.

    netdelay.py TUN_NAME DELAY_MS

Creates the TUN device TUN_NAME in the calling network namespace (the hosts' router), then, until
SIGTERM: every IP packet the kernel routes into the device is read, held DELAY_MS, and written
back, so the kernel receives it from the device and routes it on to its destination. The delay is
the same for every packet, so a FIFO keeps them in order. Policy routing in the router decides
which packets take this detour (scripts/netns-hosts.sh: those between two node hosts).

What it adds beyond DELAY_MS is this loop's own time per packet (tens of microseconds on an idle
core, more when the machine is busy): the script measures the round trip it gets and reports it.
"""
import collections
import fcntl
import os
import select
import signal
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: netdelay.py TUN_NAME DELAY_MS")
    name, delay = sys.argv[1], float(sys.argv[2]) / 1000.0
    if delay < 0:
        sys.exit("netdelay: the delay must not be negative")
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    held = collections.deque()  # (release time, packet)
    clock = time.monotonic
    while True:
        wait = None
        if held:
            wait = max(0.0, held[0][0] - clock())
        readable, _, _ = select.select([fd], [], [], wait)
        if readable:
            now = clock()
            for _ in range(256):
                try:
                    held.append((now + delay, os.read(fd, 65536)))
                except BlockingIOError:
                    break
        now = clock()
        while held and held[0][0] <= now:
            try:
                os.write(fd, held.popleft()[1])
            except BlockingIOError:
                pass  # the kernel's queue is full: the packet is lost, as on a congested link


if __name__ == "__main__":
    main()
