/* Asks the resolver of /etc/resolv.conf with glibc's res_query, one line per question:
 *   dns-query [-tcp] TYPE NAME [TYPE NAME ...]     TYPE: A, AAAA or PTR (NAME: an address)
 * prints "TYPE NAME -> answer[, answer...]", "TYPE NAME -> (no data)" or
 * "TYPE NAME -> HOST_NOT_FOUND" (h_errno). -tcp sets RES_USEVC: the queries go over TCP.
 * res_query and dn_expand are in libc since glibc 2.34: no -lresolv. */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <string.h>

static const char *herr(int e) {
  switch (e) {
  case HOST_NOT_FOUND: return "HOST_NOT_FOUND";
  case TRY_AGAIN: return "TRY_AGAIN";
  case NO_RECOVERY: return "NO_RECOVERY";
  case NO_DATA: return "NO_DATA";
  default: return "unknown h_errno";
  }
}

/* The reverse name of a dotted IPv4 or an IPv6 address, or -1. */
static int reverse_name(const char *addr, char *out, size_t size) {
  unsigned char b[16];
  if (inet_pton(AF_INET, addr, b) == 1) {
    snprintf(out, size, "%u.%u.%u.%u.in-addr.arpa", b[3], b[2], b[1], b[0]);
    return 0;
  }
  if (inet_pton(AF_INET6, addr, b) != 1) return -1;
  char *p = out;
  for (int i = 15; i >= 0; i--) p += sprintf(p, "%x.%x.", b[i] & 0xf, b[i] >> 4);
  strcpy(p, "ip6.arpa");
  return 0;
}

static int ask(const char *type_name, const char *arg) {
  int type = strcmp(type_name, "A") == 0 ? ns_t_a : strcmp(type_name, "AAAA") == 0 ? ns_t_aaaa : ns_t_ptr;
  char qname[NS_MAXDNAME];
  if (type == ns_t_ptr) {
    if (reverse_name(arg, qname, sizeof qname) < 0) return 1;
  } else {
    snprintf(qname, sizeof qname, "%s", arg);
  }
  unsigned char answer[NS_PACKETSZ * 4];
  int len = res_query(qname, ns_c_in, type, answer, sizeof answer);
  printf("%s %s -> ", type_name, arg);
  if (len < 0) {
    printf("%s\n", herr(h_errno));
    return 0;
  }
  const unsigned char *end = answer + len, *p = answer + NS_HFIXEDSZ;
  unsigned qd = (answer[4] << 8) | answer[5], an = (answer[6] << 8) | answer[7];
  char name[NS_MAXDNAME];
  for (unsigned i = 0; i < qd; i++) {
    int n = dn_expand(answer, end, p, name, sizeof name);
    if (n < 0) return 1;
    p += n + 4;
  }
  int printed = 0;
  for (unsigned i = 0; i < an; i++) {
    int n = dn_expand(answer, end, p, name, sizeof name);
    if (n < 0 || p + n + 10 > end) return 1;
    p += n;
    unsigned rtype = (p[0] << 8) | p[1], rdlen = (p[8] << 8) | p[9];
    p += 10;
    if (p + rdlen > end) return 1;
    char text[NS_MAXDNAME];
    if (rtype == ns_t_a && rdlen == 4) inet_ntop(AF_INET, p, text, sizeof text);
    else if (rtype == ns_t_aaaa && rdlen == 16) inet_ntop(AF_INET6, p, text, sizeof text);
    else if (rtype == ns_t_ptr && dn_expand(answer, end, p, text, sizeof text) >= 0) {}
    else snprintf(text, sizeof text, "(type %u)", rtype);
    printf("%s%s", printed++ ? ", " : "", text);
    p += rdlen;
  }
  printf("%s\n", printed ? "" : "(no data)");
  return 0;
}

int main(int argc, char **argv) {
  int i = 1;
  res_init();
  if (i < argc && strcmp(argv[i], "-tcp") == 0) {
    _res.options |= RES_USEVC;
    i++;
  }
  for (; i + 1 < argc; i += 2) {
    if (ask(argv[i], argv[i + 1]) != 0) {
      printf("malformed answer or address for %s %s\n", argv[i], argv[i + 1]);
      return 1;
    }
  }
  return 0;
}
