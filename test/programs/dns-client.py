"""A DNS client of its own, as Go's pure resolver or c-ares would be: reads the nameserver from
/etc/resolv.conf and asks it directly, never through libc or /etc/hosts.

    dns-client.py [-tcp] TYPE:NAME ...    (TYPE: A, AAAA, PTR, TXT, or the word 'malformed')

Prints the nameserver, then one line per question: 'udp A server -> NOERROR 11.0.0.2'. Over TCP
every query goes on one connection before any answer is read (pipelined). 'malformed' sends a
header that promises a question and holds none.
"""
import socket
import struct
import sys

TYPES = {'A': 1, 'PTR': 12, 'TXT': 16, 'AAAA': 28}
RCODES = {0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED'}


def nameserver():
    with open('/etc/resolv.conf') as f:
        for line in f:
            fields = line.split()
            if fields and fields[0] == 'nameserver':
                return fields[1]
    raise SystemExit('no nameserver in /etc/resolv.conf')


def query(qid, kind, name):
    header = struct.pack('>HHHHHH', qid, 0x0100, 1, 0, 0, 0)
    if kind == 'malformed':
        return header
    qname = b''.join(bytes([len(l)]) + l.encode() for l in name.rstrip('.').split('.')) + b'\0'
    return header + qname + struct.pack('>HH', TYPES[kind], 1)


def read_name(msg, at):
    labels, end = [], None
    while True:
        n = msg[at]
        if n & 0xC0 == 0xC0:
            if end is None:
                end = at + 2
            at = ((n & 0x3F) << 8) | msg[at + 1]
        elif n == 0:
            return '.'.join(labels), (end if end is not None else at + 1)
        else:
            labels.append(msg[at + 1:at + 1 + n].decode())
            at += 1 + n


def parse(msg):
    qid, flags, qd, an, _, _ = struct.unpack('>HHHHHH', msg[:12])
    at = 12
    for _ in range(qd):
        at = read_name(msg, at)[1] + 4
    answers = []
    for _ in range(an):
        at = read_name(msg, at)[1]
        rtype, _, _, rdlen = struct.unpack('>HHIH', msg[at:at + 10])
        at += 10
        if rtype == 1:
            answers.append(socket.inet_ntop(socket.AF_INET, msg[at:at + rdlen]))
        elif rtype == 28:
            answers.append(socket.inet_ntop(socket.AF_INET6, msg[at:at + rdlen]))
        elif rtype == 12:
            answers.append(read_name(msg, at)[0])
        at += rdlen
    return qid, RCODES.get(flags & 0xF, str(flags & 0xF)), answers


def recv_exact(sock, n):
    data = b''
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise SystemExit('connection closed early')
        data += chunk
    return data


def main():
    args = sys.argv[1:]
    tcp = args[:1] == ['-tcp']
    questions = [a.split(':', 1) if ':' in a else [a, ''] for a in args[1 if tcp else 0:]]
    server = nameserver()
    print('nameserver', server)
    replies = []
    if tcp:
        with socket.create_connection((server, 53), timeout=5) as s:
            for i, (kind, name) in enumerate(questions):
                q = query(0x4000 + i, kind, name)
                s.sendall(struct.pack('>H', len(q)) + q)
            for _ in questions:
                (length,) = struct.unpack('>H', recv_exact(s, 2))
                replies.append(recv_exact(s, length))
            s.shutdown(socket.SHUT_WR)
            print('tcp after the answers:', 'end of file' if s.recv(1) == b'' else 'more data')
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(5)
        for i, (kind, name) in enumerate(questions):
            s.sendto(query(0x4000 + i, kind, name), (server, 53))
            reply, source = s.recvfrom(4096)
            if source != (server, 53):
                raise SystemExit(f'answer from {source}')
            replies.append(reply)
    for i, ((kind, name), reply) in enumerate(zip(questions, replies)):
        qid, rcode, answers = parse(reply)
        if qid != 0x4000 + i:
            raise SystemExit(f'answer {qid:#x} to query {0x4000 + i:#x}')
        print(' '.join(w for w in ['tcp' if tcp else 'udp', kind, name, '->', rcode, *answers] if w))


main()
