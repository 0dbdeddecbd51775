#!/usr/bin/env python3
"""Players of a deployed login server, for scripts/test-deployment.sh: each player connects from an
address of its own in 127.0.0.0/8 (as players behind a proxy have addresses of their own), posts
one-use tickets minted beforehand, and the scenario asserts what a launch day needs.

Usage: deployment-players.py --tickets FILE --url https://127.0.0.1:PORT [--ca CA.pem] SCENARIO
  crowd N          N players at once, one login each: every one gets in
  flood            one player posts 80 logins at once while 10 others log in: the flood is limited
                   (each instance lets one burst through), the others all get in, and forged
                   X-Forwarded-For entries left of the proxy's buy the flooder nothing
  forged           a peer the server does not trust posts 30 logins straight to an instance, each
                   with a made-up X-Forwarded-For: it is limited by its own address
"""

import argparse
import http.client
import json
import ssl
import sys
import threading
import urllib.parse
from collections import Counter

LOGIN_PATH = "/api/v1/auth/provider/steam/login"


class Tickets:
    """One-use login bodies, handed out once each across threads."""

    def __init__(self, path):
        with open(path) as f:
            self.bodies = [line.strip() for line in f if line.strip()]
        self.next = 0
        self.lock = threading.Lock()

    def take(self):
        with self.lock:
            if self.next >= len(self.bodies):
                sys.exit("deployment-players: out of tickets (mint more)")
            body = self.bodies[self.next]
            self.next += 1
            return body


def login(url, ca, source, body, forwarded_for=None):
    """One login from `source`; (status, error code)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https":
        context = ssl.create_default_context(cafile=ca)
        conn = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=30,
                                           source_address=(source, 0), context=context)
    else:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30,
                                          source_address=(source, 0))
    headers = {"content-type": "application/json"}
    if forwarded_for:
        headers["x-forwarded-for"] = forwarded_for
    try:
        conn.request("POST", LOGIN_PATH, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        code = ""
        if response.status != 200:
            try:
                code = json.loads(data)["error"]["code"]
            except (ValueError, KeyError, TypeError):
                code = data[:80].decode(errors="replace")
        return response.status, code
    finally:
        conn.close()


def at_once(jobs):
    """Runs every (function, args) at the same moment; their results in order."""
    results = [None] * len(jobs)
    start = threading.Barrier(len(jobs))

    def run(i, fn, args):
        start.wait()
        try:
            results[i] = fn(*args)
        except Exception as e:  # a transport failure is a result too
            results[i] = (0, f"{type(e).__name__}: {e}")

    threads = [threading.Thread(target=run, args=(i, fn, args)) for i, (fn, args) in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def summary(results):
    return dict(Counter(f"{s} {c}".strip() for s, c in results))


def fail(message):
    print(f"[players] FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def crowd(args, tickets, count):
    jobs = [(login, (args.url, args.ca, f"127.0.0.{10 + i}", tickets.take())) for i in range(count)]
    results = at_once(jobs)
    print(f"[players] {count} players at once: {summary(results)}")
    if any(s != 200 for s, _ in results):
        fail(f"not every player got in: {summary(results)}")


def flood(args, tickets):
    flooder = "127.0.0.100"
    jobs = [(login, (args.url, args.ca, flooder, tickets.take())) for _ in range(80)]
    jobs += [(login, (args.url, args.ca, f"127.0.0.{110 + i}", tickets.take())) for i in range(10)]
    results = at_once(jobs)
    flooded, others = results[:80], results[80:]
    print(f"[players] one player's 80 logins at once: {summary(flooded)}; 10 others meanwhile: {summary(others)}")
    limited = sum(1 for s, c in flooded if s == 429 and c == "rate_limited")
    admitted = sum(1 for s, _ in flooded if s == 200)
    # Each of the two instances admits one burst (20) of the player's logins, no more.
    if limited < 30 or admitted > 40:
        fail(f"the flood was not limited to a burst per instance: {summary(flooded)}")
    if any(s != 200 for s, _ in others):
        fail(f"other players were refused during the flood: {summary(others)}")
    forged = [login(args.url, args.ca, flooder, tickets.take(), forwarded_for=f"192.0.2.{n}, 198.51.100.{n}")
              for n in range(1, 6)]
    print(f"[players] the flooder again, forging X-Forwarded-For: {summary(forged)}")
    if any(s != 429 for s, _ in forged):
        fail(f"forged X-Forwarded-For entries got the flooder through: {summary(forged)}")


def forged(args, tickets):
    peer = "127.0.0.200"
    results = [login(args.url, args.ca, peer, tickets.take(), forwarded_for=f"203.0.113.{n}")
               for n in range(1, 31)]
    print(f"[players] an untrusted peer forging X-Forwarded-For, 30 logins: {summary(results)}")
    if sum(1 for s, _ in results if s == 429) < 5 or sum(1 for s, _ in results if s == 200) > 25:
        fail(f"forged X-Forwarded-For from an untrusted peer was believed: {summary(results)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--ca")
    parser.add_argument("scenario", choices=["crowd", "flood", "forged"])
    parser.add_argument("count", nargs="?", type=int, default=60)
    args = parser.parse_args()
    tickets = Tickets(args.tickets)
    # Each run takes tickets no earlier run took: FILE.used says how many those took.
    offset_file = args.tickets + ".used"
    try:
        with open(offset_file) as f:
            tickets.next = int(f.read().strip() or 0)
    except FileNotFoundError:
        pass
    try:
        if args.scenario == "crowd":
            crowd(args, tickets, args.count)
        elif args.scenario == "flood":
            flood(args, tickets)
        else:
            forged(args, tickets)
    finally:
        with open(offset_file, "w") as f:
            f.write(str(tickets.next))


if __name__ == "__main__":
    main()
