#!/usr/bin/env python3
"""The dedicated line's impairments: a userspace Ethernet bridge between two interfaces.

Runs in the middle network namespace the netline harness creates. It reads every frame arriving on one
interface (AF_PACKET raw socket), drops it with probability LOSS, holds it for DELAY +/- JITTER milliseconds
and writes it unchanged to the other interface; both directions, in order (a frame never overtakes an earlier
one, as on a real serial line). The kernel's netem qdisc would do this but is not built into this kernel.
Bandwidth is shaped by htb on the interfaces (see netns.ts), and a cut is the link taken down.

Usage: line.py IF_A IF_B   (settings on stdin, one JSON object a line: {"delayMs":150,"jitterMs":20,"loss":0.02})
Prints "ready" once both sockets are bound, and one JSON line of counters on SIGTERM.
"""
import heapq
import json
import os
import random
import select
import signal
import socket
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4

settings = {"delayMs": 0.0, "jitterMs": 0.0, "loss": 0.0}
counters = {"forwarded": 0, "dropped": 0, "sendErrors": 0}


def open_if(name):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((name, 0))
    s.setblocking(False)
    return s


def main():
    a_name, b_name = sys.argv[1], sys.argv[2]
    rng = random.Random(int(os.environ.get("LINE_SEED", "1")))
    a, b = open_if(a_name), open_if(b_name)
    other = {a.fileno(): b, b.fileno(): a}
    # Per direction: the time the last frame leaves, so that jitter never reorders frames.
    last_out = {a.fileno(): 0.0, b.fileno(): 0.0}
    queue = []  # (due, seq, out_socket, frame)
    seq = 0
    stdin = sys.stdin.fileno()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    print("ready", flush=True)
    while not stop:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out, frame = heapq.heappop(queue)
            try:
                out.send(frame)
                counters["forwarded"] += 1
            except OSError:
                counters["sendErrors"] += 1
        timeout = max(0.0, queue[0][0] - now) if queue else 0.5
        try:
            ready, _, _ = select.select([a, b, stdin], [], [], timeout)
        except InterruptedError:
            continue
        for s in ready:
            if s == stdin:
                line = sys.stdin.readline()
                if not line:
                    stop.append(1)
                    break
                settings.update(json.loads(line))
                print("set", flush=True)
                continue
            while True:
                try:
                    frame, addr = s.recvfrom(65535)
                except BlockingIOError:
                    break
                except OSError:
                    break  # interface down: the line is cut
                if addr[2] == PACKET_OUTGOING:
                    continue
                if rng.random() < settings["loss"]:
                    counters["dropped"] += 1
                    continue
                d = settings["delayMs"] + (rng.uniform(-1, 1) * settings["jitterMs"])
                due = max(time.monotonic() + max(d, 0) / 1000.0, last_out[s.fileno()])
                last_out[s.fileno()] = due
                seq += 1
                heapq.heappush(queue, (due, seq, other[s.fileno()], frame))
    print(json.dumps(counters), flush=True)


if __name__ == "__main__":
    main()
