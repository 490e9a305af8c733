#!/usr/bin/env python3
"""A one-way packet delay for kernels without tc netem (sch_netem), as scripts/netns-hosts.sh uses it.

    netdelay.py TUN_NAME DELAY_MS [--jitter MS] [--loss PERCENT] [--pair A-B=DELAY_MS ...]

Creates the TUN device TUN_NAME in the calling network namespace (the hosts' router), then, until
SIGTERM: every IPv4 packet the kernel routes into the device is read, held, and written back, so
the kernel receives it from the device and routes it on to its destination. Policy routing in the
router decides which packets take this detour (scripts/netns-hosts.sh: those between two node
hosts). A packet is held DELAY_MS, or the delay of its pair of hosts (--pair 1-3=20: between the
hosts whose addresses end in .1 and .3, both ways), plus a uniform jitter in [-MS, +MS]; packets
of one pair leave in the order they came (the jitter never reorders them, as netem's does without
a rate). --loss drops that share of packets at random.

What it adds beyond DELAY_MS is this loop's own time per packet (tens of microseconds on an idle
core, more when the machine is busy): the script measures the round trip it gets and reports it.
"""
import heapq
import fcntl
import os
import random
import select
import signal
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit("usage: netdelay.py TUN_NAME DELAY_MS [--jitter MS] [--loss PERCENT] [--pair A-B=DELAY_MS ...]")
    name, delay = args[0], float(args[1]) / 1000.0
    jitter, loss, pairs = 0.0, 0.0, {}
    rest = args[2:]
    while rest:
        flag, value, rest = rest[0], rest[1], rest[2:]
        if flag == "--jitter":
            jitter = float(value) / 1000.0
        elif flag == "--loss":
            loss = float(value) / 100.0
        elif flag == "--pair":
            hosts, ms = value.split("=")
            a, b = (int(h) for h in hosts.split("-"))
            pairs[(min(a, b), max(a, b))] = float(ms) / 1000.0
        else:
            sys.exit("netdelay: unknown flag " + flag)
    if delay < 0 or jitter < 0 or not 0 <= loss < 1 or any(d < 0 for d in pairs.values()):
        sys.exit("netdelay: delays and jitter must not be negative, loss must lie in [0, 100)")
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    held = []  # heap of (release time, sequence, packet)
    last = {}  # per pair of hosts: the latest release time given, so a pair's packets keep their order
    seq = 0
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
                    packet = os.read(fd, 65536)
                except BlockingIOError:
                    break
                if loss and random.random() < loss:
                    continue
                a, b = packet[15], packet[19]  # the last octets of IPv4's source and destination
                pair = (min(a, b), max(a, b))
                release = now + pairs.get(pair, delay) + (random.uniform(-jitter, jitter) if jitter else 0.0)
                release = max(release, now, last.get(pair, 0.0))
                last[pair] = release
                seq += 1
                heapq.heappush(held, (release, seq, packet))
        now = clock()
        while held and held[0][0] <= now:
            try:
                os.write(fd, heapq.heappop(held)[2])
            except BlockingIOError:
                pass  # the kernel's queue is full: the packet is lost, as on a congested link


if __name__ == "__main__":
    main()
